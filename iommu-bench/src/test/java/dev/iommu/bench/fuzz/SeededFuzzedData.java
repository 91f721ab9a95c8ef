/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import java.util.SplittableRandom;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/**
 * A {@link FuzzedDataProvider} of a fixed number of pseudo-random "bytes" from a seed, for a fixed budget of
 * generated inputs in a plain test run (Jazzer's own provider needs its agent). Values in a range are drawn
 * uniformly; edge values come from the targets' own choices. Only the methods the fuzz targets use are supported.
 */
final class SeededFuzzedData implements FuzzedDataProvider
{
    private final SplittableRandom random;
    private int remaining;

    /**
     * @param seed  the seed.
     * @param bytes how many bytes the input has: each value drawn consumes its width, the input ends when they run out.
     */
    SeededFuzzedData(final long seed, final int bytes)
    {
        this.random = new SplittableRandom(seed);
        this.remaining = bytes;
    }

    private boolean take(final int bytes)
    {
        if (remaining <= 0)
        {
            return false;
        }
        remaining = Math.max(0, remaining - bytes);
        return true;
    }

    @Override
    public boolean consumeBoolean()
    {
        return take(1) && random.nextBoolean();
    }

    @Override
    public int consumeInt()
    {
        return take(4) ? random.nextInt() : 0;
    }

    @Override
    public int consumeInt(final int min, final int max)
    {
        if (min > max)
        {
            throw new IllegalArgumentException("min > max");
        }
        if (!take(4) || min == max)
        {
            return min;
        }
        return (int)random.nextLong(min, (long)max + 1);
    }

    @Override
    public long consumeLong()
    {
        return take(8) ? random.nextLong() : 0;
    }

    @Override
    public long consumeLong(final long min, final long max)
    {
        if (min > max)
        {
            throw new IllegalArgumentException("min > max");
        }
        if (!take(8) || min == max)
        {
            return min;
        }
        return max == Long.MAX_VALUE ? min + (random.nextLong() & Long.MAX_VALUE) % (max - min) :
            random.nextLong(min, max + 1);
    }

    @Override
    public int remainingBytes()
    {
        return remaining;
    }

    @Override
    public boolean[] consumeBooleans(final int maxLength)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public byte consumeByte()
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public byte consumeByte(final byte min, final byte max)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public byte[] consumeBytes(final int maxLength)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public byte[] consumeRemainingAsBytes()
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public short consumeShort()
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public short consumeShort(final short min, final short max)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public short[] consumeShorts(final int maxLength)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public int[] consumeInts(final int maxLength)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public long[] consumeLongs(final int maxLength)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public float consumeFloat()
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public float consumeRegularFloat()
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public float consumeRegularFloat(final float min, final float max)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public float consumeProbabilityFloat()
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public double consumeDouble()
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public double consumeRegularDouble()
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public double consumeRegularDouble(final double min, final double max)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public double consumeProbabilityDouble()
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public char consumeChar()
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public char consumeChar(final char min, final char max)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public char consumeCharNoSurrogates()
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public String consumeString(final int maxLength)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public String consumeRemainingAsString()
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public String consumeAsciiString(final int maxLength)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public String consumeRemainingAsAsciiString()
    {
        throw new UnsupportedOperationException();
    }
}
