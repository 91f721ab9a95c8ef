/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.example;

import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuPermissions;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.dma.GuestMemory;
import dev.iommu.core.DmaTranslation;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The DMA engine of one queue pair of the {@link EmulatedNic}, run by its own device thread: it takes each TX
 * descriptor the driver posted, reads the packet out of guest memory, checks its checksum, and loops it back into
 * the next RX buffer the driver posted (the NIC is in loopback mode). Every access to a descriptor or a buffer goes
 * through {@link IommuEmulator#translate} first, as a device behind an IOMMU does; a buffer access that faults drops
 * the packet with {@link NicDescriptor#STATUS_DMA_ERROR}. Allocates nothing per packet.
 */
final class NicDmaEngine implements Runnable
{
    private final int queue;
    private final EmulatedNic nic;
    private final IommuEmulator iommu;
    private final GuestMemory memory;
    private final RunFailures failures;
    private final CRC32C crc = new CRC32C();
    private final byte[] wireBytes = new byte[PacketGenerator.SCRATCH_BYTES];
    private final UnsafeBuffer wire = new UnsafeBuffer(wireBytes);

    // Registers the driver programs before the engine starts (Thread.start orders them before run()).
    private long txRingBase;
    private long rxRingBase;
    private int ringMask;
    // Doorbells: the driver's producer index of each ring, written with release after the descriptors.
    private final AtomicLong txTail = new AtomicLong();
    private final AtomicLong rxTail = new AtomicLong();

    private IommuDmaDevice dmaDevice;
    private long txHead;
    private long rxHead;
    private boolean holdingPacket;
    private int wireLength;
    private int wireChecksum;
    private long wireSequence;

    // Statistics, owned by the engine thread; read by others after joining it.
    private long packets;
    private long bytes;
    private long translations;
    private long dmaFaults;
    private long checksumErrors;
    private long lastFaultAddress = -1;
    private long allocatedBytes;

    NicDmaEngine(
        final int queue, final EmulatedNic nic, final IommuEmulator iommu, final GuestMemory memory,
        final RunFailures failures)
    {
        this.queue = queue;
        this.nic = nic;
        this.iommu = iommu;
        this.memory = memory;
        this.failures = failures;
    }

    void programRings(final long txRingDeviceBase, final long rxRingDeviceBase, final int ringSize)
    {
        this.txRingBase = txRingDeviceBase;
        this.rxRingBase = rxRingDeviceBase;
        this.ringMask = ringSize - 1;
    }

    void dmaDevice(final IommuDmaDevice dmaDevice)
    {
        this.dmaDevice = dmaDevice;
    }

    void txDoorbell(final long tail)
    {
        // Release: the descriptors (and payloads) written before are visible to the engine's acquire of the tail.
        txTail.setRelease(tail);
    }

    void rxDoorbell(final long tail)
    {
        // Release: as for TX.
        rxTail.setRelease(tail);
    }

    /** The device thread's loop: until the NIC is stopped (with nothing left to do) or a check failed. */
    @Override
    public void run()
    {
        final IdleStrategy idle = new BackoffIdleStrategy(64, 16, 1_000, 100_000);
        final long allocatedBefore = ThreadAllocation.currentThreadAllocatedBytes();
        while (!failures.isFailed())
        {
            final int work = holdingPacket ? deliver() : transmit();
            if (0 == work && !holdingPacket && nic.isStopRequested())
            {
                break;
            }
            idle.idle(work);
        }
        allocatedBytes = ThreadAllocation.currentThreadAllocatedBytes() - allocatedBefore;
    }

    private int transmit()
    {
        // Acquire: pairs with txDoorbell's release; the descriptor below is the driver's complete write.
        if (txHead >= txTail.getAcquire())
        {
            return 0;
        }
        final long descriptor = txRingBase + (txHead & ringMask) * NicDescriptor.LENGTH;
        final long at = translateOrFail(descriptor, IommuPermissions.READ, "TX descriptor read");
        if (at < 0)
        {
            return 0;
        }
        final long buffer = memory.getLong(at + NicDescriptor.BUFFER_ADDRESS_OFFSET);
        final long lengthAndChecksum = memory.getLong(at + NicDescriptor.LENGTH_AND_CHECKSUM_OFFSET);
        final long sequence = memory.getLong(at + NicDescriptor.SEQUENCE_OFFSET);
        final int length = NicDescriptor.length(lengthAndChecksum);
        if (length < 1 || length > DmaBuffer.CAPACITY)
        {
            failures.fail("queue " + queue + ": TX descriptor " + txHead + " has length " + length);
            return 0;
        }
        final long faultAddress = dmaRead(buffer, length);
        if (faultAddress >= 0)
        {
            dmaFaults++;
            lastFaultAddress = faultAddress;
            return completeTx(NicDescriptor.STATUS_DONE | NicDescriptor.STATUS_DMA_ERROR);
        }
        crc.reset();
        crc.update(wireBytes, 0, length);
        if ((int)crc.getValue() != NicDescriptor.checksum(lengthAndChecksum))
        {
            checksumErrors++;
            return completeTx(NicDescriptor.STATUS_DONE | NicDescriptor.STATUS_CHECKSUM_ERROR);
        }
        holdingPacket = true;
        wireLength = length;
        wireChecksum = NicDescriptor.checksum(lengthAndChecksum);
        wireSequence = sequence;
        return 1 + deliver();
    }

    private int deliver()
    {
        // Acquire: pairs with rxDoorbell's release.
        if (rxHead >= rxTail.getAcquire())
        {
            return 0;
        }
        final long descriptor = rxRingBase + (rxHead & ringMask) * NicDescriptor.LENGTH;
        final long at = translateOrFail(descriptor, IommuPermissions.READ, "RX descriptor read");
        if (at < 0)
        {
            return 0;
        }
        final long buffer = memory.getLong(at + NicDescriptor.BUFFER_ADDRESS_OFFSET);
        final int capacity = NicDescriptor.length(memory.getLong(at + NicDescriptor.LENGTH_AND_CHECKSUM_OFFSET));
        if (capacity < wireLength)
        {
            failures.fail("queue " + queue + ": RX buffer of " + capacity + " bytes for a packet of " + wireLength);
            return 0;
        }
        final long faultAddress = dmaWrite(buffer, wireLength);
        if (faultAddress >= 0)
        {
            failures.fail("queue " + queue + ": RX buffer write faulted at device address 0x" +
                Long.toHexString(faultAddress) + " (packet " + wireSequence + ")");
            return 0;
        }
        final long writeBack = translateOrFail(descriptor, IommuPermissions.WRITE, "RX descriptor write-back");
        if (writeBack < 0)
        {
            return 0;
        }
        memory.putLong(writeBack + NicDescriptor.LENGTH_AND_CHECKSUM_OFFSET,
            NicDescriptor.lengthAndChecksum(wireLength, wireChecksum));
        memory.putLong(writeBack + NicDescriptor.SEQUENCE_OFFSET, wireSequence);
        // Release: the payload and the words above are visible to a driver that acquires this status.
        memory.putLongRelease(writeBack + NicDescriptor.STATUS_OFFSET, NicDescriptor.STATUS_DONE);
        rxHead++;
        packets++;
        bytes += wireLength;
        holdingPacket = false;
        return completeTx(NicDescriptor.STATUS_DONE);
    }

    private int completeTx(final long status)
    {
        final long descriptor = txRingBase + (txHead & ringMask) * NicDescriptor.LENGTH;
        final long at = translateOrFail(descriptor, IommuPermissions.WRITE, "TX descriptor write-back");
        if (at < 0)
        {
            return 0;
        }
        // Release: the driver that acquires DONE may unmap the buffer; every access to it happened before.
        memory.putLongRelease(at + NicDescriptor.STATUS_OFFSET, status);
        txHead++;
        return 1;
    }

    private long translateOrFail(final long deviceAddress, final int access, final String what)
    {
        translations++;
        final long translation = iommu.translate(dmaDevice, deviceAddress, access);
        if (DmaTranslation.isFault(translation))
        {
            failures.fail("queue " + queue + ": " + what + " at device address 0x" + Long.toHexString(deviceAddress) +
                " faulted (reason " + DmaTranslation.faultReason(translation) + ")");
            return -1;
        }
        return DmaTranslation.outputAddress(translation, deviceAddress);
    }

    /**
     * Copies a buffer from guest memory into the wire, translating each page it touches.
     *
     * @return -1, or the device address that faulted.
     */
    private long dmaRead(final long deviceAddress, final int length)
    {
        int offset = 0;
        while (offset < length)
        {
            final long address = deviceAddress + offset;
            translations++;
            final long translation = iommu.translate(dmaDevice, address, IommuPermissions.READ);
            if (DmaTranslation.isFault(translation))
            {
                return address;
            }
            final int chunk = chunk(translation, address, length - offset);
            memory.getBytes(DmaTranslation.outputAddress(translation, address), wire, offset, chunk);
            offset += chunk;
        }
        return -1;
    }

    /**
     * Copies the wire into a buffer in guest memory, translating each page it touches.
     *
     * @return -1, or the device address that faulted.
     */
    private long dmaWrite(final long deviceAddress, final int length)
    {
        int offset = 0;
        while (offset < length)
        {
            final long address = deviceAddress + offset;
            translations++;
            final long translation = iommu.translate(dmaDevice, address, IommuPermissions.WRITE);
            if (DmaTranslation.isFault(translation))
            {
                return address;
            }
            final int chunk = chunk(translation, address, length - offset);
            memory.putBytes(DmaTranslation.outputAddress(translation, address), wire, offset, chunk);
            offset += chunk;
        }
        return -1;
    }

    private static int chunk(final long translation, final long address, final int remaining)
    {
        final long pageSize = DmaTranslation.pageSize(translation);
        return (int)Math.min(remaining, pageSize - (address & (pageSize - 1)));
    }

    long packets()
    {
        return packets;
    }

    long bytes()
    {
        return bytes;
    }

    long translations()
    {
        return translations;
    }

    long dmaFaults()
    {
        return dmaFaults;
    }

    long checksumErrors()
    {
        return checksumErrors;
    }

    long lastFaultAddress()
    {
        return lastFaultAddress;
    }

    long allocatedBytes()
    {
        return allocatedBytes;
    }
}
