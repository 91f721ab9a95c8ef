/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * A call an {@link InFlightLog} found in flight: begun and not ended when its process died.
 *
 * @param slot      the slot that holds it.
 * @param sequence  its sequence in that slot (the calls recorded there before it, plus one).
 * @param kind      {@link InFlightLog#MAP}, {@link InFlightLog#UNMAP}, or a code of a later kind.
 * @param domainId  the domain it was made on.
 * @param address   the first address of its range.
 * @param pages     the pages of its range.
 * @param committed whether the call had said all its durable effects were done ({@link InFlightLog.Slot#commit}):
 *                  a committed call is wholly applied; an uncommitted one may be applied in part, or not at all.
 */
record InFlightRecord(int slot, long sequence, int kind, long domainId, long address, long pages, boolean committed)
{
}
