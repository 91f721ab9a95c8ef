/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.example;

import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.NtStatus;
import dev.iommu.core.dma.GuestMemory;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The driver's half of one queue pair, run by its own driver thread: it keeps the RX ring full of mapped buffers,
 * sends packets (payload written by the CPU, buffer mapped with MapLogicalRangeEx, descriptor posted, doorbell),
 * reaps TX completions (unmap) and RX completions (unmap, then check sequence, length and checksum end to end).
 * Every buffer of this queue is mapped inside the queue's own window of device addresses (MapLogicalRangeEx's
 * minimum and maximum), so the queues never reuse each other's addresses.
 * <p>
 * On queue 0, once, the driver misbehaves on purpose: it unmaps a TX buffer before ringing the doorbell, so the
 * device's DMA faults, the fault handler reports it, the device drops the packet with a DMA error, and the driver
 * sends the packet again. Allocates nothing per packet.
 */
final class NicDriverQueue implements Runnable
{
    private final int queue;
    private final DmaIommuInterfaceV2 iommu;
    private final IommuDmaDomain domain;
    private final GuestMemory memory;
    private final NicDmaEngine engine;
    private final RunFailures failures;
    private final DescriptorRing txRing;
    private final DescriptorRing rxRing;
    private final DmaBuffer[] txBuffers;
    private final DmaBuffer[] rxBuffers;
    private final int ringSize;
    private final int ringMask;
    private final long target;
    private final long durationNs;
    private final long faultSequence;
    private final long corruptSequence;
    private final PacketGenerator generator;
    private final byte[] scratchBytes = new byte[PacketGenerator.SCRATCH_BYTES];
    private final UnsafeBuffer scratch = new UnsafeBuffer(scratchBytes);
    private final int[] expectedChecksums;
    private final LongRef windowMin;
    private final LongRef windowMax;
    private final LongRef mappedAt = new LongRef();
    private final IdleStrategy idle = new BackoffIdleStrategy(64, 16, 1_000, 100_000);

    private long deadlineNs;
    private boolean timeUp;
    private boolean faultDone;
    private long txHead;
    private long txTail;
    private long rxHead;
    private long rxTail;
    private long nextSequence;

    // Statistics, owned by the driver thread; read by others after joining it.
    private long delivered;
    private long bytes;
    private long resent;
    private long maps;
    private long unmaps;
    private long dmaErrors;
    private long earlyUnmappedAddress = -1;
    private long injectedSequence = -1;
    private boolean done;
    private long allocatedBytes;

    NicDriverQueue(
        final int queue,
        final DmaIommuInterfaceV2 iommu,
        final IommuDmaDomain domain,
        final GuestMemory memory,
        final NicDmaEngine engine,
        final RunFailures failures,
        final DescriptorRing txRing,
        final DescriptorRing rxRing,
        final DmaBuffer[] txBuffers,
        final DmaBuffer[] rxBuffers,
        final long windowBase,
        final long windowBytes,
        final long target,
        final long durationNs,
        final long faultSequence,
        final long corruptSequence)
    {
        this.queue = queue;
        this.iommu = iommu;
        this.domain = domain;
        this.memory = memory;
        this.engine = engine;
        this.failures = failures;
        this.txRing = txRing;
        this.rxRing = rxRing;
        this.txBuffers = txBuffers;
        this.rxBuffers = rxBuffers;
        this.ringSize = txRing.size();
        this.ringMask = ringSize - 1;
        this.target = target;
        this.durationNs = durationNs;
        this.faultSequence = faultSequence;
        this.faultDone = faultSequence < 0;
        this.corruptSequence = corruptSequence;
        this.generator = new PacketGenerator(queue);
        this.expectedChecksums = new int[2 * ringSize];
        this.windowMin = new LongRef(windowBase);
        this.windowMax = new LongRef(windowBase + windowBytes - 1);
    }

    /** The driver thread's loop: until every packet sent was delivered (or a check failed). */
    @Override
    public void run()
    {
        deadlineNs = System.nanoTime() + durationNs;
        final long allocatedBefore = ThreadAllocation.currentThreadAllocatedBytes();
        while (!failures.isFailed())
        {
            final int work = reapTx() + reapRx() + refillRx() + sendSome();
            if (isStoppingToSend() && faultDone && txTail == txHead && delivered == nextSequence)
            {
                done = true;
                break;
            }
            idle.idle(work);
        }
        allocatedBytes = ThreadAllocation.currentThreadAllocatedBytes() - allocatedBefore;
    }

    private boolean isStoppingToSend()
    {
        if (!timeUp && System.nanoTime() - deadlineNs >= 0)
        {
            timeUp = true;
        }
        return timeUp || nextSequence >= target;
    }

    private int sendSome()
    {
        int work = 0;
        while (txHead - txTail < ringSize && !failures.isFailed())
        {
            if (!faultDone && (nextSequence == faultSequence || isStoppingToSend()))
            {
                faultDone = true;
                if (!sendWithEarlyUnmap())
                {
                    return work;
                }
            }
            if (isStoppingToSend())
            {
                break;
            }
            if (!post(nextSequence, false))
            {
                return work;
            }
            if (nextSequence == injectedSequence)
            {
                resent++;
            }
            nextSequence++;
            work++;
        }
        if (work > 0)
        {
            engine.txDoorbell(txHead);
        }
        return work;
    }

    /**
     * Writes a packet into the next TX buffer, maps it and fills its descriptor (the caller rings the doorbell).
     *
     * @param sequence   the packet.
     * @param unmapEarly the deliberate bug: unmap the buffer before the device had a chance to read it.
     * @return false when a call failed (recorded).
     */
    private boolean post(final long sequence, final boolean unmapEarly)
    {
        final DmaBuffer buffer = txBuffers[(int)(txHead & ringMask)];
        final int length = generator.length(sequence);
        generator.fill(sequence, scratch, length);
        final int checksum = generator.checksum(scratchBytes, length);
        expectedChecksums[(int)(sequence & (expectedChecksums.length - 1))] = checksum;
        if (sequence == corruptSequence)
        {
            // Test hook: the payload is damaged after its checksum was taken; the device must notice.
            scratch.putByte(length / 2, (byte)~scratch.getByte(length / 2));
        }
        buffer.write(memory, scratch, length);
        final long pages = DmaBuffer.pagesFor(length);
        if (!map(buffer, IommuPermissions.READ, pages))
        {
            return false;
        }
        final long descriptor = txRing.physicalAddress(txHead);
        memory.putLong(descriptor + NicDescriptor.BUFFER_ADDRESS_OFFSET, buffer.deviceAddress());
        memory.putLong(descriptor + NicDescriptor.LENGTH_AND_CHECKSUM_OFFSET,
            NicDescriptor.lengthAndChecksum(length, checksum));
        memory.putLong(descriptor + NicDescriptor.SEQUENCE_OFFSET, sequence);
        memory.putLong(descriptor + NicDescriptor.STATUS_OFFSET, 0);
        if (unmapEarly)
        {
            earlyUnmappedAddress = buffer.deviceAddress();
            if (!unmap(buffer))
            {
                return false;
            }
        }
        txHead++;
        return true;
    }

    /**
     * Sends one packet whose buffer the driver unmaps too early, waits for the device to drop it with a DMA error,
     * and leaves the packet to be sent again.
     *
     * @return false when a check failed (recorded).
     */
    private boolean sendWithEarlyUnmap()
    {
        // 1. Let every packet in flight complete, reaping and refilling RX as usual, so that from here on this
        // thread maps nothing until the device has tried the buffer: its freed device addresses stay unmapped
        // (the other queues map only inside their own windows). The packets posted so far get their doorbell first.
        engine.txDoorbell(txHead);
        while (txTail != txHead)
        {
            if (failures.isFailed())
            {
                return false;
            }
            idle.idle(reapTx() + reapRx() + refillRx());
        }
        // 2. The bug.
        final long descriptor = txRing.physicalAddress(txHead);
        if (!post(nextSequence, true))
        {
            return false;
        }
        engine.txDoorbell(txHead);
        // 3. The device must fault on the buffer and say so in the descriptor.
        long status;
        // Acquire: pairs with the device's release of the status word.
        while (0 == (status = memory.getLongVolatile(descriptor + NicDescriptor.STATUS_OFFSET)))
        {
            if (failures.isFailed())
            {
                return false;
            }
            idle.idle(0);
        }
        idle.reset();
        if (status != (NicDescriptor.STATUS_DONE | NicDescriptor.STATUS_DMA_ERROR))
        {
            failures.fail("queue " + queue + ": packet " + nextSequence + " was sent from a buffer unmapped " +
                "before the doorbell, yet the device completed it with status 0x" + Long.toHexString(status) +
                " instead of a DMA error");
            return false;
        }
        dmaErrors++;
        injectedSequence = nextSequence;
        txTail++;
        return true;
    }

    private int reapTx()
    {
        int work = 0;
        while (txTail != txHead)
        {
            final long descriptor = txRing.physicalAddress(txTail);
            // Acquire: pairs with the device's release of the status word; after it, the device is done with the
            // buffer and it can be unmapped.
            final long status = memory.getLongVolatile(descriptor + NicDescriptor.STATUS_OFFSET);
            if (0 == status)
            {
                break;
            }
            if (!unmap(txBuffers[(int)(txTail & ringMask)]))
            {
                return work;
            }
            if (status != NicDescriptor.STATUS_DONE)
            {
                failures.fail("queue " + queue + ": the device completed packet " +
                    memory.getLong(descriptor + NicDescriptor.SEQUENCE_OFFSET) + " with status 0x" +
                    Long.toHexString(status) + describe(status));
                return work;
            }
            txTail++;
            work++;
        }
        return work;
    }

    private static String describe(final long status)
    {
        if ((status & NicDescriptor.STATUS_CHECKSUM_ERROR) != 0)
        {
            return " (checksum mismatch: the payload the device read is not the one the driver wrote)";
        }
        if ((status & NicDescriptor.STATUS_DMA_ERROR) != 0)
        {
            return " (DMA error: the buffer's device address did not translate)";
        }
        return "";
    }

    private int reapRx()
    {
        int work = 0;
        while (rxTail != rxHead)
        {
            final long descriptor = rxRing.physicalAddress(rxTail);
            // Acquire: pairs with the device's release; the payload and the length, checksum and sequence words
            // it wrote before are visible.
            final long status = memory.getLongVolatile(descriptor + NicDescriptor.STATUS_OFFSET);
            if (0 == status)
            {
                break;
            }
            final DmaBuffer buffer = rxBuffers[(int)(rxTail & ringMask)];
            if (!unmap(buffer) || !checkReceived(descriptor, status, buffer))
            {
                return work;
            }
            rxTail++;
            work++;
        }
        return work;
    }

    private boolean checkReceived(final long descriptor, final long status, final DmaBuffer buffer)
    {
        final long lengthAndChecksum = memory.getLong(descriptor + NicDescriptor.LENGTH_AND_CHECKSUM_OFFSET);
        final long sequence = memory.getLong(descriptor + NicDescriptor.SEQUENCE_OFFSET);
        final int length = NicDescriptor.length(lengthAndChecksum);
        if (status != NicDescriptor.STATUS_DONE)
        {
            failures.fail("queue " + queue + ": RX descriptor " + rxTail + " completed with status 0x" +
                Long.toHexString(status));
            return false;
        }
        if (sequence != delivered)
        {
            // A packet the device refused (a checksum or DMA error) is missing from RX: its TX completion was
            // released before this RX completion, which this thread has acquired, so reaping TX now reports the
            // cause first (the first failure is the one the run names).
            reapTx();
            failures.fail("queue " + queue + ": received packet " + sequence + " where packet " + delivered +
                " was expected (lost, duplicated or reordered)");
            return false;
        }
        if (length != generator.length(sequence))
        {
            failures.fail("queue " + queue + ": packet " + sequence + " arrived with " + length + " bytes, sent with " +
                generator.length(sequence));
            return false;
        }
        buffer.read(memory, scratch, length);
        final int checksum = generator.checksum(scratchBytes, length);
        final int expected = expectedChecksums[(int)(sequence & (expectedChecksums.length - 1))];
        if (checksum != expected || checksum != NicDescriptor.checksum(lengthAndChecksum))
        {
            failures.fail("queue " + queue + ": packet " + sequence + " arrived with CRC32C 0x" +
                Integer.toHexString(checksum) + ", sent with 0x" + Integer.toHexString(expected) +
                " (the descriptor says 0x" + Integer.toHexString(NicDescriptor.checksum(lengthAndChecksum)) + ")");
            return false;
        }
        delivered++;
        bytes += length;
        return true;
    }

    private int refillRx()
    {
        int work = 0;
        while (rxHead - rxTail < ringSize)
        {
            final DmaBuffer buffer = rxBuffers[(int)(rxHead & ringMask)];
            if (!map(buffer, IommuPermissions.WRITE, 2))
            {
                return work;
            }
            final long descriptor = rxRing.physicalAddress(rxHead);
            memory.putLong(descriptor + NicDescriptor.BUFFER_ADDRESS_OFFSET, buffer.deviceAddress());
            memory.putLong(descriptor + NicDescriptor.LENGTH_AND_CHECKSUM_OFFSET,
                NicDescriptor.lengthAndChecksum(DmaBuffer.CAPACITY, 0));
            memory.putLong(descriptor + NicDescriptor.SEQUENCE_OFFSET, 0);
            memory.putLong(descriptor + NicDescriptor.STATUS_OFFSET, 0);
            rxHead++;
            work++;
        }
        if (work > 0)
        {
            engine.rxDoorbell(rxHead);
        }
        return work;
    }

    private boolean map(final DmaBuffer buffer, final int permissions, final long pages)
    {
        final int status = iommu.mapLogicalRangeEx(
            domain, permissions, buffer.physical(pages), null, windowMin, windowMax, mappedAt);
        if (status != NtStatus.STATUS_SUCCESS)
        {
            failures.fail("queue " + queue + ": MapLogicalRangeEx of a packet buffer returned " +
                NtStatus.name(status));
            return false;
        }
        buffer.mapped(mappedAt.get(), pages);
        maps++;
        return true;
    }

    private boolean unmap(final DmaBuffer buffer)
    {
        final int status = iommu.unmapLogicalRange(domain, buffer.deviceAddress(), buffer.mappedPages());
        if (status != NtStatus.STATUS_SUCCESS)
        {
            failures.fail("queue " + queue + ": UnmapLogicalRange of a packet buffer at 0x" +
                Long.toHexString(buffer.deviceAddress()) + " returned " + NtStatus.name(status));
            return false;
        }
        buffer.mapped(-1, 0);
        unmaps++;
        return true;
    }

    /**
     * After the device stopped: unmaps the buffers still mapped (the RX buffers posted and not used, and after a
     * failure anything in flight).
     *
     * @return false when an unmap failed (recorded).
     */
    boolean unmapAll()
    {
        boolean ok = true;
        for (int i = 0; i < ringSize; i++)
        {
            if (txBuffers[i].deviceAddress() >= 0)
            {
                ok &= unmap(txBuffers[i]);
            }
            if (rxBuffers[i].deviceAddress() >= 0)
            {
                ok &= unmap(rxBuffers[i]);
            }
        }
        return ok;
    }

    long allocatedBytes()
    {
        return allocatedBytes;
    }

    boolean isDone()
    {
        return done;
    }

    long sent()
    {
        return nextSequence;
    }

    long delivered()
    {
        return delivered;
    }

    long bytes()
    {
        return bytes;
    }

    long resent()
    {
        return resent;
    }

    long maps()
    {
        return maps;
    }

    long unmaps()
    {
        return unmaps;
    }

    long dmaErrors()
    {
        return dmaErrors;
    }

    long earlyUnmappedAddress()
    {
        return earlyUnmappedAddress;
    }
}
