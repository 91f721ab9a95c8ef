/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.fuzz;

import java.util.Locale;

import org.junit.jupiter.api.AfterAll;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * One Jazzer fuzz test per member of every table ({@link FuzzTargets}): V1 (through IoGetIommuInterfaceEx(1) and the
 * deprecated IoGetIommuInterface), V2 (through the V2 and V3 tables) and the five V3 adds. A plain test run replays
 * each method's saved corpus ({@code src/test/resources/dev/iommu/bench/fuzz/MemberFuzzTestInputs/<method>}) and
 * proves that every saved input passes the oracle: no exception, a documented status, a refused call changed
 * nothing, the invariants hold. With {@code JAZZER_FUZZ=1} jazzer-junit fuzzes a method instead of replaying it
 * (choose one with {@code -Dtest}); long runs use {@code iommu fuzz}.
 */
class MemberFuzzTest
{
    private static final FuzzRunner RUNNER = new FuzzRunner();

    @AfterAll
    static void closeTheWorld()
    {
        RUNNER.close();
    }

    /**
     * The name of a target's fuzz test method: {@code V2.MapLogicalRangeEx} is {@code v2MapLogicalRangeEx}.
     *
     * @param target the target name.
     * @return the method name.
     */
    static String methodName(final String target)
    {
        final int dot = target.indexOf('.');
        return target.substring(0, dot).toLowerCase(Locale.ROOT) + target.substring(dot + 1);
    }

    /**
     * Every member: the input picks the member of each call ({@link FuzzTargets#ALL}).
     *
     * @param data the input.
     */
    @FuzzTest
    void allMembers(final FuzzedDataProvider data)
    {
        RUNNER.run(FuzzTargets.ALL, data);
    }

    /**
     * V1.AttachDevice.
     *
     * @param data the input.
     */
    @FuzzTest
    void v1AttachDevice(final FuzzedDataProvider data)
    {
        RUNNER.run("V1.AttachDevice", data);
    }

    /**
     * V1.ConfigureDomain.
     *
     * @param data the input.
     */
    @FuzzTest
    void v1ConfigureDomain(final FuzzedDataProvider data)
    {
        RUNNER.run("V1.ConfigureDomain", data);
    }

    /**
     * V1.CreateDomain.
     *
     * @param data the input.
     */
    @FuzzTest
    void v1CreateDomain(final FuzzedDataProvider data)
    {
        RUNNER.run("V1.CreateDomain", data);
    }

    /**
     * V1.DeleteDomain.
     *
     * @param data the input.
     */
    @FuzzTest
    void v1DeleteDomain(final FuzzedDataProvider data)
    {
        RUNNER.run("V1.DeleteDomain", data);
    }

    /**
     * V1.DetachDevice.
     *
     * @param data the input.
     */
    @FuzzTest
    void v1DetachDevice(final FuzzedDataProvider data)
    {
        RUNNER.run("V1.DetachDevice", data);
    }

    /**
     * V1.FlushDomain.
     *
     * @param data the input.
     */
    @FuzzTest
    void v1FlushDomain(final FuzzedDataProvider data)
    {
        RUNNER.run("V1.FlushDomain", data);
    }

    /**
     * V1.FlushDomainByVaList.
     *
     * @param data the input.
     */
    @FuzzTest
    void v1FlushDomainByVaList(final FuzzedDataProvider data)
    {
        RUNNER.run("V1.FlushDomainByVaList", data);
    }

    /**
     * V1.MapIdentityRange.
     *
     * @param data the input.
     */
    @FuzzTest
    void v1MapIdentityRange(final FuzzedDataProvider data)
    {
        RUNNER.run("V1.MapIdentityRange", data);
    }

    /**
     * V1.MapLogicalRange.
     *
     * @param data the input.
     */
    @FuzzTest
    void v1MapLogicalRange(final FuzzedDataProvider data)
    {
        RUNNER.run("V1.MapLogicalRange", data);
    }

    /**
     * V1.QueryInputMappings.
     *
     * @param data the input.
     */
    @FuzzTest
    void v1QueryInputMappings(final FuzzedDataProvider data)
    {
        RUNNER.run("V1.QueryInputMappings", data);
    }

    /**
     * V1.SetDeviceFaultReporting.
     *
     * @param data the input.
     */
    @FuzzTest
    void v1SetDeviceFaultReporting(final FuzzedDataProvider data)
    {
        RUNNER.run("V1.SetDeviceFaultReporting", data);
    }

    /**
     * V1.UnmapIdentityRange.
     *
     * @param data the input.
     */
    @FuzzTest
    void v1UnmapIdentityRange(final FuzzedDataProvider data)
    {
        RUNNER.run("V1.UnmapIdentityRange", data);
    }

    /**
     * V1.UnmapLogicalRange.
     *
     * @param data the input.
     */
    @FuzzTest
    void v1UnmapLogicalRange(final FuzzedDataProvider data)
    {
        RUNNER.run("V1.UnmapLogicalRange", data);
    }

    /**
     * V2.AttachDeviceEx.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2AttachDeviceEx(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.AttachDeviceEx", data);
    }

    /**
     * V2.ConfigureDomain.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2ConfigureDomain(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.ConfigureDomain", data);
    }

    /**
     * V2.CreateDevice.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2CreateDevice(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.CreateDevice", data);
    }

    /**
     * V2.CreateDomainEx.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2CreateDomainEx(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.CreateDomainEx", data);
    }

    /**
     * V2.DeleteDevice.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2DeleteDevice(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.DeleteDevice", data);
    }

    /**
     * V2.DeleteDomain.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2DeleteDomain(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.DeleteDomain", data);
    }

    /**
     * V2.DetachDeviceEx.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2DetachDeviceEx(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.DetachDeviceEx", data);
    }

    /**
     * V2.FlushDomain.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2FlushDomain(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.FlushDomain", data);
    }

    /**
     * V2.FlushDomainByVaList.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2FlushDomainByVaList(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.FlushDomainByVaList", data);
    }

    /**
     * V2.FreeReservedLogicalAddressRange.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2FreeReservedLogicalAddressRange(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.FreeReservedLogicalAddressRange", data);
    }

    /**
     * V2.MapIdentityRangeEx.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2MapIdentityRangeEx(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.MapIdentityRangeEx", data);
    }

    /**
     * V2.MapLogicalRangeEx.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2MapLogicalRangeEx(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.MapLogicalRangeEx", data);
    }

    /**
     * V2.MapReservedLogicalRange.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2MapReservedLogicalRange(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.MapReservedLogicalRange", data);
    }

    /**
     * V2.QueryAvailableDomainTypes.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2QueryAvailableDomainTypes(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.QueryAvailableDomainTypes", data);
    }

    /**
     * V2.QueryInputMappings.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2QueryInputMappings(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.QueryInputMappings", data);
    }

    /**
     * V2.RegisterInterfaceStateChangeCallback.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2RegisterInterfaceStateChangeCallback(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.RegisterInterfaceStateChangeCallback", data);
    }

    /**
     * V2.ReserveLogicalAddressRange.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2ReserveLogicalAddressRange(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.ReserveLogicalAddressRange", data);
    }

    /**
     * V2.SetDeviceFaultReportingEx.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2SetDeviceFaultReportingEx(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.SetDeviceFaultReportingEx", data);
    }

    /**
     * V2.UnmapIdentityRangeEx.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2UnmapIdentityRangeEx(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.UnmapIdentityRangeEx", data);
    }

    /**
     * V2.UnmapLogicalRange.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2UnmapLogicalRange(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.UnmapLogicalRange", data);
    }

    /**
     * V2.UnmapReservedLogicalRange.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2UnmapReservedLogicalRange(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.UnmapReservedLogicalRange", data);
    }

    /**
     * V2.UnregisterInterfaceStateChangeCallback.
     *
     * @param data the input.
     */
    @FuzzTest
    void v2UnregisterInterfaceStateChangeCallback(final FuzzedDataProvider data)
    {
        RUNNER.run("V2.UnregisterInterfaceStateChangeCallback", data);
    }

    /**
     * V3.AttachPasidDevice.
     *
     * @param data the input.
     */
    @FuzzTest
    void v3AttachPasidDevice(final FuzzedDataProvider data)
    {
        RUNNER.run("V3.AttachPasidDevice", data);
    }

    /**
     * V3.CreatePasidDevice.
     *
     * @param data the input.
     */
    @FuzzTest
    void v3CreatePasidDevice(final FuzzedDataProvider data)
    {
        RUNNER.run("V3.CreatePasidDevice", data);
    }

    /**
     * V3.DeletePasidDevice.
     *
     * @param data the input.
     */
    @FuzzTest
    void v3DeletePasidDevice(final FuzzedDataProvider data)
    {
        RUNNER.run("V3.DeletePasidDevice", data);
    }

    /**
     * V3.DetachPasidDevice.
     *
     * @param data the input.
     */
    @FuzzTest
    void v3DetachPasidDevice(final FuzzedDataProvider data)
    {
        RUNNER.run("V3.DetachPasidDevice", data);
    }

    /**
     * V3.QueryDeviceInfo.
     *
     * @param data the input.
     */
    @FuzzTest
    void v3QueryDeviceInfo(final FuzzedDataProvider data)
    {
        RUNNER.run("V3.QueryDeviceInfo", data);
    }
}
