/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.crash;

import java.util.Map;

import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.DmaTranslation;
import dev.iommu.core.EmulatorSnapshot;
import dev.iommu.core.IommuEmulator;
import dev.iommu.core.RecoveryReport;

/**
 * Checks an emulator reopened after a kill against the {@link CrashModel} of the child's log, through the interface
 * and the device side only (as an embedder would): every acknowledged mapping and token segment translates to its
 * frames, every acknowledged unmap is gone, each call in flight is wholly applied or wholly absent, every object the
 * child had is found by its stable id, devices are attached where they were; then tears everything down through the
 * interface and checks that nothing is left: each allocator is whole again, no table page is in use, no domain or
 * device is alive.
 */
final class CrashVerifier
{
    private static final long PAGE = CrashChild.PAGE;

    private final IommuEmulator emulator;
    private final DmaIommuInterfaceV2 iommu;
    private final CrashModel model;
    private final long wholeAllocatorBytes;
    private IommuDmaDevice probe;

    CrashVerifier(final IommuEmulator emulator, final CrashModel model, final long wholeAllocatorBytes)
    {
        this.emulator = emulator;
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        emulator.ioGetIommuInterfaceEx(2, 0, ex);
        this.iommu = ex.v2();
        this.model = model;
        this.wholeAllocatorBytes = wholeAllocatorBytes;
    }

    /**
     * The free bytes of a new allocator domain of the crash test's width on a fresh emulator's interface (what each
     * allocator must have again once everything is unmapped).
     *
     * @param emulator an emulator.
     * @return the free bytes.
     */
    static long wholeAllocatorBytes(final IommuEmulator emulator)
    {
        final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
        emulator.ioGetIommuInterfaceEx(2, 0, ex);
        final Ref<IommuDmaDomain> out = new Ref<>();
        expect("CreateDomainEx", ex.v2().createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
            new IommuDmaLogicalAllocatorConfig().buddy(CrashChild.ALLOCATOR_WIDTH), null, out));
        final long id = emulator.stableId(out.get());
        long bytes = -1;
        for (final EmulatorSnapshot.DomainState d : emulator.snapshot().domains())
        {
            if (d.id() == id)
            {
                bytes = d.iovaFreeBytes();
            }
        }
        expect("DeleteDomain", ex.v2().deleteDomain(out.get()));
        return bytes;
    }

    /**
     * Runs the checks and the teardown.
     *
     * @throws IllegalStateException at the first difference, naming it.
     */
    void verify()
    {
        final RecoveryReport report = emulator.recoveryReport();
        check(report.reopened() && !report.cleanShutdown(), "the reopened emulator does not report a crash: " + report);
        final EmulatorSnapshot before = emulator.snapshot();
        check(before.tablePagesInUse() == report.tablePages(), "table pages in use " + before.tablePagesInUse() +
            " but " + report.tablePages() + " reached from the roots");
        checkObjects(before);
        final Ref<IommuDmaDevice> out = new Ref<>();
        expect("CreateDevice probe", iommu.createDevice(emulator.platform().device(CrashPlatform.PROBE), null, out));
        probe = out.get();
        for (final CrashModel.DomainModel domain : model.domains.values())
        {
            checkDomain(domain);
        }
        expect("DeleteDevice probe", iommu.deleteDevice(probe));
        teardown();
    }

    private void checkObjects(final EmulatorSnapshot snapshot)
    {
        final int expected = model.domains.size();
        final int live = snapshot.liveDomains();
        check(live >= expected - model.countPending(CrashChild.DELETE_DOMAIN) &&
            live <= expected + model.countPending(CrashChild.CREATE_DOMAIN), "live domains " + live +
            ", the log has " + expected + " (and " + model.pending.size() + " calls in flight)");
        for (final CrashModel.DomainModel domain : model.domains.values())
        {
            check(null != emulator.domainById(domain.id) ||
                null != model.pendingOn(domain.id, CrashChild.DELETE_DOMAIN), "domain#" + domain.id + " is gone");
        }
        for (final CrashModel.TokenModel token : model.tokens.values())
        {
            check(null != emulator.tokenById(token.id) || null != model.pendingOn(token.id, CrashChild.FREE_TOKEN),
                "token#" + token.id + " is gone");
        }
        for (final Map.Entry<Long, Long> device : model.devices.entrySet())
        {
            check(null != emulator.deviceById(device.getKey()), "device#" + device.getKey() + " is gone");
            long attached = -1;
            for (final EmulatorSnapshot.DeviceState d : snapshot.devices())
            {
                if (d.id() == device.getKey())
                {
                    attached = d.domainId();
                }
            }
            final CrashModel.Pending p = model.pendingOn(device.getKey(), CrashChild.ATTACH, CrashChild.DETACH);
            check(attached == device.getValue() || null != p && (attached == 0 || attached == p.other()),
                "device#" + device.getKey() + " is attached to domain#" + attached + ", the log says domain#" +
                device.getValue());
        }
    }

    private void checkDomain(final CrashModel.DomainModel domain)
    {
        final IommuDmaDomain handle = emulator.domainById(domain.id);
        if (null == handle)
        {
            return;
        }
        expect("AttachDeviceEx probe", iommu.attachDeviceEx(handle, probe));
        long pages = 0;
        for (final Map.Entry<Long, long[]> map : domain.maps.entrySet())
        {
            final CrashModel.Pending unmapping = model.pendingOn(domain.id, CrashChild.UNMAP_ALLOCATED,
                CrashChild.UNMAP_EXPLICIT);
            final boolean maybeGone = null != unmapping && unmapping.address() == map.getKey();
            pages += checkRange("domain#" + domain.id + " map", map.getKey(), map.getValue()[0], map.getValue()[1],
                true, maybeGone);
        }
        final CrashModel.Pending mapping = model.pendingOn(domain.id, CrashChild.MAP_EXPLICIT);
        long pendingPages = 0;
        if (null != mapping)
        {
            pendingPages = checkRange("domain#" + domain.id + " map in flight", mapping.address(), mapping.pages(),
                mapping.frame(), false, true);
        }
        for (final CrashModel.TokenModel token : model.tokens.values())
        {
            if (token.domainId != domain.id || null == emulator.tokenById(token.id))
            {
                continue;
            }
            final long base = emulator.tokenById(token.id).logicalAddressBase();
            for (final Map.Entry<Long, long[]> segment : token.segments.entrySet())
            {
                final CrashModel.Pending unmapping = model.pendingOn(token.id, CrashChild.UNMAP_SEGMENT);
                final boolean maybeGone = null != unmapping && unmapping.address() == segment.getKey();
                pages += checkRange("token#" + token.id + " segment", base + segment.getKey(),
                    segment.getValue()[0], segment.getValue()[1], true, maybeGone);
            }
            final CrashModel.Pending segmentMap = model.pendingOn(token.id, CrashChild.MAP_SEGMENT);
            if (null != segmentMap)
            {
                pendingPages += checkRange("token#" + token.id + " segment map in flight", base +
                    segmentMap.address(), segmentMap.pages(), segmentMap.frame(), false, true);
            }
        }
        final long mapped = mappedPages(domain.id);
        final CrashModel.Pending allocating = model.pendingOn(domain.id, CrashChild.MAP_ALLOCATED);
        check(mapped == pages + pendingPages || null != allocating && mapped == pages + allocating.pages(),
            "domain#" + domain.id + " maps " + mapped + " pages, the log accounts for " + pages +
            (null == allocating ? "" : " (+" + allocating.pages() + " in flight)"));
        expect("DetachDeviceEx probe", iommu.detachDeviceEx(probe));
    }

    /**
     * Checks a range translates page by page to consecutive frames from {@code frame}: all of it when
     * {@code required}; when {@code allOrNothing}, either all of it or none of it.
     *
     * @return the pages found mapped.
     */
    private long checkRange(final String what, final long address, final long pages, final long frame,
        final boolean required, final boolean allOrNothing)
    {
        long mapped = 0;
        for (long i = 0; i < pages; i++)
        {
            final long iova = address + i * PAGE;
            final long t = emulator.translate(probe, iova, IommuPermissions.READ);
            if (DmaTranslation.isFault(t))
            {
                continue;
            }
            final long output = DmaTranslation.outputAddress(t, iova);
            check(output == (frame + i) * PAGE, what + " at 0x" + Long.toHexString(iova) + " translates to 0x" +
                Long.toHexString(output) + ", expected 0x" + Long.toHexString((frame + i) * PAGE));
            mapped++;
        }
        if (allOrNothing)
        {
            check(mapped == 0 || mapped == pages, what + " at 0x" + Long.toHexString(address) + " is half applied: " +
                mapped + " of " + pages + " pages mapped");
        }
        else if (required)
        {
            check(mapped == pages, what + " at 0x" + Long.toHexString(address) + ": " + (pages - mapped) + " of " +
                pages + " acknowledged pages are not mapped");
        }
        return mapped;
    }

    private long mappedPages(final long domainId)
    {
        for (final EmulatorSnapshot.DomainState d : emulator.snapshot().domains())
        {
            if (d.id() == domainId)
            {
                return d.mappedPages();
            }
        }
        return -1;
    }

    /**
     * Unmaps, frees, detaches and deletes everything through the interface, then checks nothing is left.
     */
    private void teardown()
    {
        for (final CrashModel.TokenModel token : model.tokens.values())
        {
            final IommuDmaLogicalAddressToken handle = emulator.tokenById(token.id);
            if (null == handle)
            {
                continue;
            }
            for (final Map.Entry<Long, long[]> segment : token.segments.entrySet())
            {
                iommu.unmapReservedLogicalRange(new IommuDmaLogicalAddressTokenMappedSegment().owningToken(handle)
                    .offset(segment.getKey()).size(segment.getValue()[0] * PAGE));
            }
            final CrashModel.Pending segmentMap = model.pendingOn(token.id, CrashChild.MAP_SEGMENT);
            if (null != segmentMap)
            {
                iommu.unmapReservedLogicalRange(new IommuDmaLogicalAddressTokenMappedSegment().owningToken(handle)
                    .offset(segmentMap.address()).size(segmentMap.pages() * PAGE));
            }
            expect("FreeReservedLogicalAddressRange token#" + token.id, iommu.freeReservedLogicalAddressRange(handle));
        }
        // A reservation in flight may have left a token the log has no id for: they are the live ids past the log's.
        final CrashModel.Pending reserving = model.pendingOf(CrashChild.RESERVE);
        if (null != reserving)
        {
            for (long id = 1; id < maxTokenId() + 64; id++)
            {
                final IommuDmaLogicalAddressToken handle = emulator.tokenById(id);
                if (null != handle && !model.tokens.containsKey(id))
                {
                    expect("FreeReservedLogicalAddressRange of the reservation in flight",
                        iommu.freeReservedLogicalAddressRange(handle));
                }
            }
        }
        for (final CrashModel.DomainModel domain : model.domains.values())
        {
            final IommuDmaDomain handle = emulator.domainById(domain.id);
            if (null == handle)
            {
                continue;
            }
            for (final Map.Entry<Long, long[]> map : domain.maps.entrySet())
            {
                iommu.unmapLogicalRange(handle, map.getKey(), map.getValue()[0]);
            }
            final CrashModel.Pending mapping = model.pendingOn(domain.id, CrashChild.MAP_EXPLICIT);
            if (null != mapping)
            {
                iommu.unmapLogicalRange(handle, mapping.address(), mapping.pages());
            }
        }
        for (final long deviceId : model.devices.keySet())
        {
            final IommuDmaDevice device = emulator.deviceById(deviceId);
            iommu.detachDeviceEx(device);
            expect("DeleteDevice device#" + deviceId, iommu.deleteDevice(device));
        }
        for (final EmulatorSnapshot.DomainState d : emulator.snapshot().domains())
        {
            final CrashModel.Pending allocating = model.pendingOn(d.id(), CrashChild.MAP_ALLOCATED);
            final boolean leftByCallInFlight = null != allocating && d.mappedPages() == allocating.pages();
            check(d.mappedPages() == 0 || leftByCallInFlight, "domain#" + d.id() + " still maps " + d.mappedPages() +
                " pages after every acknowledged mapping was unmapped");
            check(d.iovaFreeBytes() < 0 || leftByCallInFlight || d.iovaFreeBytes() == wholeAllocatorBytes,
                "domain#" + d.id() + "'s allocator has " + d.iovaFreeBytes() + " bytes free, a whole one " +
                wholeAllocatorBytes);
            expect("DeleteDomain domain#" + d.id(), iommu.deleteDomain(emulator.domainById(d.id())));
        }
        final EmulatorSnapshot after = emulator.snapshot();
        check(after.tablePagesInUse() == 0 && after.liveDomains() == 0 && after.liveDevices() == 0,
            "left after the teardown: " + after.tablePagesInUse() + " table pages, " + after.liveDomains() +
            " domains, " + after.liveDevices() + " devices");
    }

    private long maxTokenId()
    {
        long max = 0;
        for (final long id : model.tokens.keySet())
        {
            max = Math.max(max, id);
        }
        return max;
    }

    private static void expect(final String what, final int status)
    {
        check(status == NtStatus.STATUS_SUCCESS, what + ": " + NtStatus.name(status));
    }

    private static void check(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalStateException(message);
        }
    }
}
