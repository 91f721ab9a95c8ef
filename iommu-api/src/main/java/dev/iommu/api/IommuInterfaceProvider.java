/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * The acquisition entry points (spec 1.1): the Java forms of the kernel exports
 * {@code NTSTATUS IoGetIommuInterfaceEx(ULONG Version, ULONGLONG Flags, PDMA_IOMMU_INTERFACE_EX InterfaceOut)} and
 * the deprecated {@code NTSTATUS IoGetIommuInterface(ULONG Version, PDMA_IOMMU_INTERFACE InterfaceOut)}. There is no
 * GUID and no query-interface path; a driver asks for a table version and gets it.
 * <p>
 * {@code IoGetIommuInterfaceEx} checks, in this order (spec 5.1 item 1, the order Windows uses):
 * <ol>
 *     <li>a version outside 1 to the newest the platform's kernel offers (3, or less for an older personality):
 *     STATUS_INVALID_PARAMETER_1;</li>
 *     <li>a null {@code InterfaceOut}: STATUS_INVALID_PARAMETER_2;</li>
 *     <li>non-zero {@code Flags} ("currently unused"): STATUS_INVALID_PARAMETER_3;</li>
 *     <li>otherwise the callee writes {@code Size} (0x78, 0xC0 or 0xE8 for versions 1, 2, 3), {@code Version} and
 *     the union member of that version, and returns STATUS_SUCCESS.</li>
 * </ol>
 * {@code IoGetIommuInterface}: a version other than 1 is STATUS_INVALID_PARAMETER_1, a null {@code InterfaceOut}
 * STATUS_INVALID_PARAMETER_2; otherwise {@code Version} = 1 and the V1 table. On failure neither writes anything.
 */
public interface IommuInterfaceProvider
{
    /**
     * {@code IoGetIommuInterfaceEx}: fills {@code interfaceOut} with the table of the requested version.
     *
     * @param version      which table is wanted: 1, 2 or 3.
     * @param flags        currently unused; must be 0.
     * @param interfaceOut receives {@code Size}, {@code Version} and the table.
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER_1, _2 or _3, as listed above.
     */
    int ioGetIommuInterfaceEx(int version, long flags, DmaIommuInterfaceEx interfaceOut);

    /**
     * {@code IoGetIommuInterface} (deprecated): fills {@code interfaceOut} with the V1 table.
     *
     * @param version      must be 1 ({@link DmaIommuInterface#VERSION}).
     * @param interfaceOut receives {@code Version} and the table.
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER_1 (version) or STATUS_INVALID_PARAMETER_2 (no holder).
     */
    int ioGetIommuInterface(int version, DmaIommuInterface interfaceOut);
}
