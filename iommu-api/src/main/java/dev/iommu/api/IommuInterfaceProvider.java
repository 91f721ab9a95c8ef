/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * The acquisition entry point (spec 1.1): the Java form of the kernel export
 * {@code NTSTATUS IoGetIommuInterfaceEx(ULONG Version, ULONGLONG Flags, PDMA_IOMMU_INTERFACE_EX InterfaceOut)}.
 * There is no GUID and no query-interface path; a driver asks for a table version and gets it.
 * <p>
 * The rules every implementation follows (spec 1.1 and the choices of spec 5.1):
 * <ul>
 *     <li>on success the callee writes {@code Size} (0x78, 0xC0 or 0xE8 for versions 1, 2, 3) and
 *     {@code Version}, and the union member of that version;</li>
 *     <li>a version outside {@link DmaIommuInterfaceEx#VERSION_MIN} to {@link DmaIommuInterfaceEx#VERSION_MAX}
 *     returns STATUS_INVALID_PARAMETER_1;</li>
 *     <li>non-zero {@code Flags} ("currently unused") returns STATUS_INVALID_PARAMETER_2;</li>
 *     <li>a null {@code InterfaceOut} returns STATUS_INVALID_PARAMETER_3;</li>
 *     <li>a valid version this emulated platform does not offer (no IOMMU, or an OS personality that
 *     predates the version) returns STATUS_NOT_SUPPORTED;</li>
 *     <li>on failure {@code InterfaceOut} is left as it was.</li>
 * </ul>
 */
@FunctionalInterface
public interface IommuInterfaceProvider
{
    /**
     * {@code IoGetIommuInterfaceEx}: fills {@code interfaceOut} with the table of the requested version.
     *
     * @param version      which table is wanted: 1, 2 or 3.
     * @param flags        currently unused; must be 0.
     * @param interfaceOut receives {@code Size}, {@code Version} and the table.
     * @return STATUS_SUCCESS, STATUS_INVALID_PARAMETER_1, _2, _3 or STATUS_NOT_SUPPORTED, as listed above.
     */
    int ioGetIommuInterfaceEx(int version, long flags, DmaIommuInterfaceEx interfaceOut);
}
