/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * The keys and value layouts of the persisted context table ({@link PersistedContext}): one Chronicle Map from a
 * 64-bit key to a byte record, as an IOMMU keeps its context table, in {@code context.cmap} of the persistent
 * directory. Every value starts with its layout version (an int); fields are in the platform's byte order (the file is
 * this machine's, like the table arena).
 * <p>
 * Keys: the record kind in the top byte, the object's stable id below it, and the record's generation in the low
 * byte.
 * <pre>
 *   63        56 55                                                8 7          0
 *  +------------+---------------------------------------------------+------------+
 *  |   kind     |  id (domain, device or token id;                  | generation |
 *  |            |      PASID: parent id &lt;&lt; 20 | pasid)            | (mod 256)  |
 *  +------------+---------------------------------------------------+------------+
 * </pre>
 * A record is never overwritten in place: Chronicle Map's recovery drops an entry whose write a kill interrupted, so
 * an interrupted overwrite would lose the old value too. A change writes the next generation under a new key, then
 * removes the old one ({@link PersistedContext}); after a kill between the two, the newer of the two generations
 * (the one that is the other plus one, mod 256) wins and the older is removed.
 * Domain record ({@link #DOMAIN}):
 * <pre>
 *   0        4        8        12       16       20       24       28       32
 *  +--------+--------+--------+--------+--------+--------+--------+--------+
 *  | version| type   | flags  | width  | root   | regions| ident. | (0)    |
 *  |        | ordinal| b0 ex  | (bits) | page   | count  | count  |        |
 *  |        |        | b1 allo|        | or -1  |        |        |        |
 *  |        |        | b2 conf|        |        |        |        |        |
 *  +--------+--------+--------+--------+--------+--------+--------+--------+
 *  32: regions: base (8), pages (8) each; then identity ranges: base (8), pages (8) each;
 *  then, for a configured unmanaged domain (flag b2): ttbr0 (8), ttbr1 (8), mair0 (4), mair1 (4), inputSize0 (4),
 *  inputSize1 (4), coherentTableWalks (4), translationEnabled (4).
 * </pre>
 * b0: created by CreateDomainEx (else V1 CreateDomain); b1: has a logical allocator; b2: ConfigureDomain ran.
 * <p>
 * Device record ({@link #DEVICE}):
 * <pre>
 *   0        4        8        12       16       20       24                32
 *  +--------+--------+--------+--------+--------+--------+-----------------+
 *  | version| flags  | PASID  | attach | refs   | name   | domain id       |
 *  |        | b0 v1  | config | base   |        | length | (0: detached)   |
 *  |        | b1 supp| or -1  |        |        |        |                 |
 *  +--------+--------+--------+--------+--------+--------+-----------------+
 *  32: the device object's name, UTF-8 (the platform's key for it).
 * </pre>
 * Token record ({@link #TOKEN}) and PASID sub-device record ({@link #PASID}):
 * <pre>
 *   0        4        8                 16                24                32
 *  +--------+--------+-----------------+-----------------+-----------------+
 *  | version| flags  | domain id       | base            | size (bytes)    |   token: b0 allocated, b1 protected
 *  +--------+--------+-----------------+-----------------+-----------------+
 *  | version| pasid  | parent device id| domain id (0: detached)           |   PASID sub-device
 *  +--------+--------+-----------------+-----------------------------------+
 * </pre>
 * An id lease ({@link #ID_LEASE}): version, then (at 8) the last id of the kind that may have been given.
 * <p>
 * A token's mapped segments live in the second map of the directory ({@code segments.cmap}): key
 * {@code token id << 32 | offset >>> 12}, value {@code length << 12 | offset & 0xfff} (the segment's length in bytes
 * and the offset's bits within its page, which the observed profile's segments may have).
 */
final class ContextRecordDescriptor
{
    /** The layout version of every record this library writes. */
    static final int RECORD_VERSION = 1;

    /** Key kind of a domain record. */
    static final long DOMAIN = 1;
    /** Key kind of a DMA device record. */
    static final long DEVICE = 2;
    /** Key kind of a logical address token record. */
    static final long TOKEN = 3;
    /** Key kind of a PASID sub-device record. */
    static final long PASID = 4;
    /** Key kind of an id lease: id = the kind of object it leases ids of; value: the lease's end (a long). */
    static final long ID_LEASE = 5;

    static final int KIND_SHIFT = 56;
    static final int ID_SHIFT = 8;
    static final long ID_MASK = (1L << (KIND_SHIFT - ID_SHIFT)) - 1;
    static final long GENERATION_MASK = (1L << ID_SHIFT) - 1;
    static final int PASID_BITS = 20;

    static final int VERSION_OFFSET = 0;

    static final int DOMAIN_TYPE_OFFSET = 4;
    static final int DOMAIN_FLAGS_OFFSET = 8;
    static final int DOMAIN_WIDTH_OFFSET = 12;
    static final int DOMAIN_ROOT_OFFSET = 16;
    static final int DOMAIN_REGIONS_OFFSET = 20;
    static final int DOMAIN_IDENTITIES_OFFSET = 24;
    static final int DOMAIN_RANGES_OFFSET = 32;
    static final int DOMAIN_CONFIGURATION_LENGTH = 40;
    static final int DOMAIN_EX = 1;
    static final int DOMAIN_ALLOCATOR = 2;
    static final int DOMAIN_CONFIGURED = 4;

    static final int DEVICE_FLAGS_OFFSET = 4;
    static final int DEVICE_PASID_CONFIG_OFFSET = 8;
    static final int DEVICE_ATTACH_BASE_OFFSET = 12;
    static final int DEVICE_REFERENCES_OFFSET = 16;
    static final int DEVICE_NAME_LENGTH_OFFSET = 20;
    static final int DEVICE_DOMAIN_OFFSET = 24;
    static final int DEVICE_NAME_OFFSET = 32;
    static final int DEVICE_V1 = 1;
    static final int DEVICE_SUPPRESS_PASID_FAULTS = 2;

    static final int TOKEN_FLAGS_OFFSET = 4;
    static final int TOKEN_DOMAIN_OFFSET = 8;
    static final int TOKEN_BASE_OFFSET = 16;
    static final int TOKEN_SIZE_OFFSET = 24;
    static final int TOKEN_LENGTH = 32;
    static final int TOKEN_ALLOCATED = 1;
    static final int TOKEN_PROTECTED = 2;

    static final int PASID_PASID_OFFSET = 4;
    static final int PASID_PARENT_OFFSET = 8;
    static final int PASID_DOMAIN_OFFSET = 16;
    static final int PASID_LENGTH = 24;

    /** Segment keys: the token id above, the offset page below. */
    static final int SEGMENT_TOKEN_SHIFT = 32;
    /** The largest token a persistent emulator reserves: 2^32 pages (16 TiB), the offset pages a segment key holds. */
    static final long MAX_PERSISTED_TOKEN_BYTES = 1L << (SEGMENT_TOKEN_SHIFT + 12);

    private ContextRecordDescriptor()
    {
    }

    /** The key of an object's records without their generation (the base key). */
    static long key(final long kind, final long id)
    {
        if ((id & ~ID_MASK) != 0)
        {
            throw new IllegalArgumentException("id " + id + " is beyond the context table's 48 bits");
        }
        return (kind << KIND_SHIFT) | (id << ID_SHIFT);
    }

    static long kindOf(final long key)
    {
        return key >>> KIND_SHIFT;
    }

    static long idOf(final long key)
    {
        return (key >>> ID_SHIFT) & ID_MASK;
    }

    static long baseOf(final long key)
    {
        return key & ~GENERATION_MASK;
    }

    static int generationOf(final long key)
    {
        return (int)(key & GENERATION_MASK);
    }

    /** Whether generation {@code a} is the one written after {@code b} (a = b + 1, mod 256). */
    static boolean newer(final int a, final int b)
    {
        return ((a - b) & GENERATION_MASK) == 1;
    }

    static long pasidKey(final long parentId, final int pasid)
    {
        return key(PASID, (parentId << PASID_BITS) | pasid);
    }

    static long segmentKey(final long tokenId, final long offset)
    {
        if (tokenId >>> SEGMENT_TOKEN_SHIFT != 0 || offset >>> (SEGMENT_TOKEN_SHIFT + 12) != 0)
        {
            throw new IllegalStateException("token#" + tokenId + " offset 0x" + Long.toHexString(offset) +
                " is beyond what a segment key holds (token ids below 2^32, offsets below 16 TiB)");
        }
        return (tokenId << SEGMENT_TOKEN_SHIFT) | (offset >>> 12);
    }

    static long segmentValue(final long offset, final long length)
    {
        return (length << 12) | (offset & 0xfff);
    }

    static long segmentTokenId(final long key)
    {
        return key >>> SEGMENT_TOKEN_SHIFT;
    }

    static long segmentOffset(final long key, final long value)
    {
        return ((key & 0xffff_ffffL) << 12) | (value & 0xfff);
    }

    static long segmentLength(final long value)
    {
        return value >>> 12;
    }
}
