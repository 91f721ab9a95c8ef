/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

import dev.iommu.api.DeviceObject;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuMapPhysicalAddressType;
import dev.iommu.api.LongRef;
import dev.iommu.api.Mdl;
import dev.iommu.api.Ref;

/**
 * Raw hostile arguments drawn from a fuzzer's bytes: handles from the world's pools (live, deleted, foreign, forged
 * or null), addresses and sizes that are aligned, unaligned, near the world's mappings or overflowing, permission
 * words with reserved bits, MDLs and PFN arrays shorter or longer than their counts, enumeration values including
 * null, and out-parameter holders that are missing or hold garbage.
 */
final class HostileArgs
{
    /** The most entries a generated array has (its count may claim more). */
    static final int MAX_ARRAY = 24;

    private static final long PAGE = 4096;
    private static final long[] EDGES = {
        0, 1, PAGE - 1, PAGE, PAGE + 1, 0x1F_FFFFL, 0x20_0000L, 0x3FFF_FFFFL, 0x4000_0000L,
        (1L << 39) - PAGE, 1L << 39, (1L << 48) - PAGE, (1L << 48) - 1, 1L << 48, 1L << 52, (1L << 57) - PAGE,
        1L << 57, 1L << 62, Long.MAX_VALUE - PAGE + 1, Long.MAX_VALUE, Long.MIN_VALUE, -PAGE, -1};

    private final FuzzedDataProvider data;
    private final FuzzWorld world;

    /**
     * @param data  the fuzzer's bytes.
     * @param world the pools of handles and addresses.
     */
    HostileArgs(final FuzzedDataProvider data, final FuzzWorld world)
    {
        this.data = data;
        this.world = world;
    }

    /**
     * @return whether bytes remain.
     */
    boolean hasMore()
    {
        return data.remainingBytes() > 0;
    }

    /**
     * @param bound exclusive upper bound, at least 1.
     * @return a choice in [0, bound).
     */
    int choose(final int bound)
    {
        return data.consumeInt(0, bound - 1);
    }

    /**
     * @return a boolean.
     */
    boolean flag()
    {
        return data.consumeBoolean();
    }

    /**
     * @return any int, small ones and edge values more often.
     */
    int anyInt()
    {
        switch (choose(4))
        {
            case 0:
                return choose(4);
            case 1:
                return data.pickValue(new int[]{-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x10000, 0xFFFF});
            default:
                return data.consumeInt();
        }
    }

    private <T> T pick(final List<T> pool)
    {
        final int i = choose(pool.size() + 1);
        return i == pool.size() ? null : pool.get(i);
    }

    /**
     * @return a domain handle: live, created, deleted, foreign, forged or null.
     */
    IommuDmaDomain domain()
    {
        return pick(world.domains);
    }

    /**
     * @return a DMA device handle, or null.
     */
    IommuDmaDevice device()
    {
        return pick(world.devices);
    }

    /**
     * @return a PASID sub-device handle, or null.
     */
    IommuDmaPasidDevice pasidDevice()
    {
        return pick(world.pasidDevices);
    }

    /**
     * @return a logical address token, or null.
     */
    IommuDmaLogicalAddressToken token()
    {
        return pick(world.tokens);
    }

    /**
     * @return a device object: of the platform, foreign, forged, or null.
     */
    DeviceObject deviceObject()
    {
        return pick(world.deviceObjects);
    }

    /**
     * @return a mapped segment: one the world mapped (live or stale), a forged copy with changed fields, or null.
     */
    IommuDmaLogicalAddressTokenMappedSegment segment()
    {
        final IommuDmaLogicalAddressTokenMappedSegment known = pick(world.segments);
        if (null == known || flag())
        {
            return known;
        }
        return new IommuDmaLogicalAddressTokenMappedSegment()
            .owningToken(flag() ? known.owningToken() : token())
            .offset(flag() ? known.offset() : offset())
            .size(flag() ? known.size() : size());
    }

    /**
     * @return a logical address: near a mapping of the world, page-aligned or not, an edge value or random.
     */
    long address()
    {
        switch (choose(5))
        {
            case 0:
                return world.addresses.get(choose(world.addresses.size())) + PAGE * data.consumeInt(-4, 20);
            case 1:
                return data.pickValue(EDGES);
            case 2:
                return data.consumeLong(0, 1L << 40) & ~(PAGE - 1);
            case 3:
                return data.consumeLong(0, 1L << 24) << 12;
            default:
                return data.consumeLong();
        }
    }

    /**
     * @return a byte offset into a token: small page multiples, unaligned or hostile.
     */
    long offset()
    {
        switch (choose(3))
        {
            case 0:
                return PAGE * choose(20);
            case 1:
                return data.pickValue(EDGES);
            default:
                return data.consumeLong();
        }
    }

    /**
     * @return a size in bytes: a few pages, unaligned, huge, zero or negative.
     */
    long size()
    {
        switch (choose(4))
        {
            case 0:
                return PAGE * (1 + choose(32));
            case 1:
                return data.pickValue(EDGES);
            case 2:
                return data.consumeLong(0, 1L << 34);
            default:
                return data.consumeLong();
        }
    }

    /**
     * @return a page count: a few, zero, huge or negative.
     */
    long pages()
    {
        switch (choose(3))
        {
            case 0:
                return choose(40);
            case 1:
                return data.pickValue(new long[]{0, 512, 513, 1L << 18, 1L << 36, Long.MAX_VALUE, -1, Long.MIN_VALUE});
            default:
                return data.consumeLong();
        }
    }

    /**
     * @return IommuPermissions bits: mostly valid, sometimes with reserved bits.
     */
    int permissions()
    {
        return choose(4) != 0 ? choose(4) : data.consumeInt();
    }

    /**
     * @return a physical page frame number: small, near the 2^52 limit, or any.
     */
    long frame()
    {
        switch (choose(4))
        {
            case 0:
            case 1:
                return data.consumeLong(0, 1 << 20);
            case 2:
                return data.pickValue(new long[]{(1L << 40) - 1, 1L << 40, (1L << 52) - 1, 1L << 52, -1});
            default:
                return data.consumeLong();
        }
    }

    /**
     * @return an array of frames whose length may be shorter or longer than any count, or null.
     */
    long[] frames()
    {
        if (choose(8) == 0)
        {
            return null;
        }
        final long[] frames = new long[choose(MAX_ARRAY + 1)];
        final boolean run = flag();
        final long first = frame();
        for (int i = 0; i < frames.length; i++)
        {
            frames[i] = run ? first + i : frame();
        }
        return frames;
    }

    /**
     * @return an MDL with a hostile offset, byte count and frame array, or null.
     */
    Mdl mdl()
    {
        if (choose(10) == 0)
        {
            return null;
        }
        final long[] frames = frames();
        final Mdl mdl = new Mdl().pageFrames(frames);
        final int length = null == frames ? 0 : frames.length;
        mdl.byteCount(choose(3) != 0 ? PAGE * (length + data.consumeInt(-1, 1)) : size());
        mdl.byteOffset(choose(4) != 0 ? 0 : anyInt());
        return mdl;
    }

    /**
     * @return a physical description of any type (null too), with fields that may not match the type.
     */
    IommuMapPhysicalAddress physical()
    {
        if (choose(12) == 0)
        {
            return null;
        }
        final IommuMapPhysicalAddress physical = new IommuMapPhysicalAddress();
        final IommuMapPhysicalAddressType[] types = IommuMapPhysicalAddressType.values();
        final int type = choose(types.length + 1);
        physical.mapType(type == types.length ? null : types[type]);
        switch (choose(4))
        {
            case 0:
                physical.mdl(mdl());
                break;
            case 1:
                physical.contiguousBase(choose(3) != 0 ? frame() << 12 : address()).contiguousSize(size());
                break;
            case 2:
                final long[] frames = frames();
                final int length = null == frames ? 0 : frames.length;
                physical.pageFrames(frames).numberOfPages(choose(3) != 0 ? length + data.consumeInt(-2, 2) : pages());
                break;
            default:
                physical.mdl(mdl()).contiguousBase(address()).contiguousSize(size()).pageFrames(frames())
                    .numberOfPages(pages());
                break;
        }
        return physical;
    }

    /**
     * @return an optional address argument: null, or a holder of a hostile address.
     */
    LongRef optionalAddress()
    {
        return flag() ? null : new LongRef(address());
    }

    /**
     * @return an out-parameter for an address: usually a holder (with garbage), sometimes null.
     */
    LongRef addressOut()
    {
        return choose(8) == 0 ? null : new LongRef(data.consumeLong());
    }

    /**
     * @return an int out-parameter: usually a holder (with garbage), sometimes null.
     */
    IntRef intOut()
    {
        return choose(8) == 0 ? null : new IntRef().set(data.consumeInt());
    }

    /**
     * An object out-parameter: usually an empty holder, sometimes one holding a stale value, sometimes null.
     *
     * @param stale what a reused holder may still hold.
     * @param <T>   the handle type.
     * @return the holder or null.
     */
    <T> Ref<T> out(final T stale)
    {
        final int kind = choose(8);
        if (kind == 0)
        {
            return null;
        }
        final Ref<T> ref = new Ref<>();
        if (kind == 1)
        {
            ref.set(stale);
        }
        return ref;
    }

    /**
     * An enumeration value: any constant (the C enumeration's Max included) or null.
     *
     * @param values the constants.
     * @param <E>    the enumeration.
     * @return a constant or null.
     */
    <E> E pickEnum(final E[] values)
    {
        final int i = choose(values.length + 1);
        return i == values.length ? null : values[i];
    }
}
