/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * Windows as observed (x64 build A) for the mapping and token members (observed record sections 4 and 5): each
 * method here overrides the {@link MappingRules} method of the same
 * member, holds that member's checks in Windows' order, and cites the row of the observed-behaviour record it
 * reproduces. A member not overridden answers as documented in both profiles.
 */
class ObservedMappingRules extends ObservedTokenRules
{
}
