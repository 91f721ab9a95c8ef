/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * Test hook: called by a translate walk after each entry it reads, so a test can stop a walk between two levels
 * and change the tables under it. Null (not called) in every table built through the public factory.
 */
interface WalkObserver
{
    void afterRead(int level, long entry);
}
