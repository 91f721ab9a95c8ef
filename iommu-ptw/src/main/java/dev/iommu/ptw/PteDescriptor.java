/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

/**
 * The layout of one 8-byte page-table entry. A table is one 4 KiB arena page of 512 entries; level 0 tables map
 * 4 KiB pages, level 1 entries span 2 MiB, level 2 entries span 1 GiB, and so on up to the root (level 2, 3 or 4
 * for 39, 48 or 57-bit address widths). An entry of all zero bits is empty (not present).
 * <pre>
 *   63      52 51                                          12 11      8  7   6     4  3   2   1   0
 *  +----------+---------------------------------------------+----------+----+-------+---+---+---+---+
 *  | reserved |  leaf: output address bits 51..12          | reserved | PS | rsvd  | T | W | R | P |
 *  |   (0)    |  table: arena page index of the child table |   (0)    |    |  (0)  |   |   |   |   |
 *  +----------+---------------------------------------------+----------+----+-------+---+---+---+---+
 *
 *  P  (bit 0)  present: the entry is a leaf or a table pointer (zero entry: not present)
 *  R  (bit 1)  leaf: the device may read
 *  W  (bit 2)  leaf: the device may write
 *  T  (bit 3)  the entry points at a child table (bits 51..12 hold its arena page index, not an address)
 *  PS (bit 7)  leaf at level 1 or 2: a 2 MiB or 1 GiB page (always clear at level 0)
 * </pre>
 * Permissions are stored shifted left by one: {@code R = READ << 1}, {@code W = WRITE << 1}.
 */
public final class PteDescriptor
{
    /** Bit 0: present. */
    public static final long PRESENT = 0x1L;
    /** Bit 1: read permission. */
    public static final long READ = 0x2L;
    /** Bit 2: write permission. */
    public static final long WRITE = 0x4L;
    /** Bit 3: table pointer. */
    public static final long TABLE = 0x8L;
    /** Bit 7: large leaf. */
    public static final long PAGE_SIZE = 0x80L;
    /** Bits 51..12: output address or child page index. */
    public static final long ADDRESS_MASK = 0x000F_FFFF_FFFF_F000L;
    /** Shift of the permission bits. */
    public static final int PERMISSION_SHIFT = 1;
    /** Entries per table. */
    public static final int ENTRIES = 512;
    /** Bytes per entry. */
    public static final int ENTRY_SIZE = 8;
    /** Index bits per level. */
    public static final int BITS_PER_LEVEL = 9;
    /** Shift of the level-0 index: 4 KiB pages. */
    public static final int PAGE_SHIFT = 12;
    /** The largest output address + 1 a leaf can hold. */
    public static final long MAX_OUTPUT = 1L << 52;

    private PteDescriptor()
    {
    }

    /**
     * Encode a leaf.
     *
     * @param output      output address, 4 KiB aligned (or 2 MiB / 1 GiB aligned for a large leaf).
     * @param permissions {@link PtwPermissions} bits.
     * @param large       true for a level 1 or 2 leaf.
     * @return the entry.
     */
    public static long leaf(final long output, final int permissions, final boolean large)
    {
        return (output & ADDRESS_MASK) | ((long)permissions << PERMISSION_SHIFT) | PRESENT | (large ? PAGE_SIZE : 0);
    }

    /**
     * Encode a table pointer.
     *
     * @param pageIndex arena page index of the child.
     * @return the entry.
     */
    public static long table(final int pageIndex)
    {
        return ((long)pageIndex << PAGE_SHIFT) | TABLE | PRESENT;
    }

    /**
     * @param entry an entry.
     * @return true when present.
     */
    public static boolean isPresent(final long entry)
    {
        return (entry & PRESENT) != 0;
    }

    /**
     * @param entry an entry.
     * @return true when it points at a child table.
     */
    public static boolean isTable(final long entry)
    {
        return (entry & TABLE) != 0;
    }

    /**
     * @param entry a table entry.
     * @return the child's arena page index.
     */
    public static int childIndex(final long entry)
    {
        return (int)((entry & ADDRESS_MASK) >>> PAGE_SHIFT);
    }

    /**
     * @param entry a leaf.
     * @return its output address.
     */
    public static long output(final long entry)
    {
        return entry & ADDRESS_MASK;
    }

    /**
     * @param entry a leaf.
     * @return its {@link PtwPermissions} bits.
     */
    public static int permissions(final long entry)
    {
        return (int)((entry >>> PERMISSION_SHIFT) & PtwPermissions.READ_WRITE);
    }

    /**
     * @param level a level, 0 for the 4 KiB level.
     * @return the address shift of that level's entries (12, 21, 30, ...).
     */
    public static int shift(final int level)
    {
        return PAGE_SHIFT + BITS_PER_LEVEL * level;
    }

    /**
     * @param iova  an input address.
     * @param level a level.
     * @return the entry index of {@code iova} in a table of that level.
     */
    public static int index(final long iova, final int level)
    {
        return (int)(iova >>> shift(level)) & (ENTRIES - 1);
    }
}
