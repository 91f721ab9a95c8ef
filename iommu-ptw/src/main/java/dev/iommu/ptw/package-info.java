/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */

/**
 * Lock-free off-heap radix page tables, reusable on their own (like Linux's io-pgtable): {@link
 * dev.iommu.ptw.TableArena} (table-page memory), {@link dev.iommu.ptw.RadixPageTable} (map, scatter map,
 * reserve, unmap, translate, introspection), {@link dev.iommu.ptw.PteDescriptor} (entry format), {@link
 * dev.iommu.ptw.SoftwareIotlb} (translation cache), {@link dev.iommu.ptw.PtwResult} (result codes) and {@link
 * dev.iommu.ptw.Translation} (the encoded translate result). Nothing here knows about Windows.
 */
package dev.iommu.ptw;
