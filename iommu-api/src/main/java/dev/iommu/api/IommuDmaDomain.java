/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * {@code PIOMMU_DMA_DOMAIN} (spec 1.3, 3.1): an opaque handle to a DMA remapping domain, one set of page
 * tables or one address space. Created by CreateDomain or CreateDomainEx, destroyed by DeleteDomain; the
 * implementation detects use of a deleted handle (spec 5.2 item 10).
 */
public interface IommuDmaDomain
{
}
