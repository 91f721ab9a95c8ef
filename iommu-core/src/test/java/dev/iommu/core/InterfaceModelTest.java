/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.IntSupplier;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DmaIommuInterfaceV2;
import dev.iommu.api.FaultInformation;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDeviceInformation;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAddressToken;
import dev.iommu.api.IommuDmaLogicalAddressTokenMappedSegment;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.Mdl;
import dev.iommu.api.NtStatus;
import dev.iommu.api.Ref;
import dev.iommu.core.iova.IovaAllocator;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.PhysicalDeviceObject;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.ResourceLimits;
import dev.iommu.ptw.Translation;
import org.junit.jupiter.api.Test;

import static dev.iommu.api.NtStatus.STATUS_ACCESS_DENIED;
import static dev.iommu.api.NtStatus.STATUS_BUFFER_TOO_SMALL;
import static dev.iommu.api.NtStatus.STATUS_INSUFFICIENT_RESOURCES;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_1;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_2;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_3;
import static dev.iommu.api.NtStatus.STATUS_INVALID_PARAMETER_4;
import static dev.iommu.api.NtStatus.STATUS_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_NONE_MAPPED;
import static dev.iommu.api.NtStatus.STATUS_NOT_FOUND;
import static dev.iommu.api.NtStatus.STATUS_NOT_SUPPORTED;
import static dev.iommu.api.NtStatus.STATUS_RESOURCE_IN_USE;
import static dev.iommu.api.NtStatus.STATUS_SUCCESS;
import static dev.iommu.api.NtStatus.STATUS_UNSUCCESSFUL;
import static dev.iommu.core.V2Rig.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Randomized model-based test of the three tables of one emulator against a simple reference model, each call's
 * status predicted exactly and every device-side translate compared with the model.
 * <ul>
 *     <li>V2 (and the same members through the V3 table): MapLogicalRangeEx (1 to 64 pages, PFN arrays),
 *     UnmapLogicalRange (whole, partial, spanning two mappings or holes), the token calls (Reserve, MapReserved,
 *     UnmapReserved, Free), CreateDomainEx, DeleteDomain, CreateDevice, AttachDeviceEx, DetachDeviceEx and
 *     DeleteDevice;</li>
 *     <li>V1: CreateDomain (TRUE, and FALSE: not supported on x64), AttachDevice and DetachDevice by device object,
 *     MapLogicalRange with an MDL at explicit addresses, UnmapLogicalRange, MapIdentityRange, UnmapIdentityRange
 *     and SetDeviceFaultReporting;</li>
 *     <li>V3: CreatePasidDevice (on devices created with a PasidTaggedDma configuration, one emulator-wide PASID
 *     space, lowest free first from 1, a 2-bit PASID IOMMU and a sub-device limit), AttachPasidDevice (Translate and
 *     TranslateS1 domains, a device whose policy refuses TranslateS1), DetachPasidDevice, DeletePasidDevice and
 *     QueryDeviceInfo; translates with and without a PASID.</li>
 * </ul>
 * The model is a TreeMap page to frame and permissions per domain, the allocator's live blocks, the token ranges and
 * their segments, the devices (by device object: a token, a V1 record or nothing), the sub-devices and the PASIDs in
 * use. Every refused call must change nothing ({@link V2Rig#snapshot}); at checkpoints the tables hold exactly the
 * model's pages, and the emulator's live devices, sub-devices and domains, each domain's attached devices and tokens,
 * and {@code dmaDeviceOf} of every device object equal the model's. At the end everything is torn down and the table
 * pages are back to the start. The seed is printed in every failure message; set {@code -Diommu.model.seed=<seed>} to
 * replay one.
 */
class InterfaceModelTest
{
    private static final int OPERATIONS = Integer.getInteger("iommu.model.operations", 30_000);
    private static final long WINDOW = 0x1000_0000L >>> 12;
    private static final long WINDOW_PAGES = 2048;
    private static final int MAX_TOKENS = 6;
    private static final int CHECK_EVERY = Integer.getInteger("iommu.model.checkEvery", 1000);
    /** The platform's domain limit: A, E and up to seven more. */
    private static final int MAX_DOMAINS = 9;
    /** The platform's PASID sub-device limit. */
    private static final int MAX_PASID_DEVICES = 6;
    /** The PASID width of the IOMMU {@code tiny}: PASIDs 1 to 3 only. */
    private static final int TINY_PASID_WIDTH = 2;
    /** The first frame whose identity address is past a 48-bit domain. */
    private static final long LIMIT_FRAME = 1L << 36;
    /** What the DMA Guard administrator leaves {@code accel1}: no TranslateS1. */
    private static final int ACCEL1_ALLOWED = IommuDmaDomainType.TRANSLATE.mask() |
        IommuDmaDomainType.PASS_THROUGH.mask();
    /** The refused calls of the V1, V3 and lifecycle members checked against a snapshot: one in this many. */
    private static final int SNAPSHOT_ONE_IN = Integer.getInteger("iommu.model.snapshotOneIn", 3);
    private static final long NOT_PRESENT = -1;
    private static final long PERMISSION = -2;

    /** Operations and their weights (per mille). */
    private static final String[] OPS = {
        "map", "unmap", "translate", "reserve", "mapReserved", "unmapReserved", "free", "unmapStale", "mapV1",
        "mapIdentityV1", "unmapIdentityV1", "createDomain", "deleteDomain", "attachV1", "detachV1", "faultReporting",
        "deviceToken", "createPasid", "deletePasid", "attachPasid", "detachPasid", "queryDeviceInfo", "blocking"};
    private static final int[] WEIGHTS = {
        150, 125, 50, 40, 50, 40, 30, 25, 70,
        50, 45, 25, 25, 30, 30, 20,
        50, 35, 25, 35, 20, 15, 5};

    /** What a domain of the model is. */
    private enum Kind
    {
        ALLOCATOR, EXPLICIT, PASS_THROUGH, S1
    }

    /** A reference model of one domain. */
    private static final class Model
    {
        final Kind kind;
        final boolean allocator;
        final String name;
        final IommuDmaDomain domain;
        final boolean permanent;
        boolean alive = true;
        /**
         * Page number to {frame, permissions, owner}: owner -1 for a logical mapping, -2 for an identity mapping,
         * else the token's base page.
         */
        final TreeMap<Long, long[]> pages = new TreeMap<>();
        /** Allocator blocks of plain mappings: first page to {block pages, mapped pages}. */
        final TreeMap<Long, long[]> blocks = new TreeMap<>();
        /** Tokens by base page. */
        final TreeMap<Long, TokenModel> tokens = new TreeMap<>();
        /** Copies of segments already unmapped. */
        final List<IommuDmaLogicalAddressTokenMappedSegment> staleSegments = new ArrayList<>();

        Model(final Kind kind, final String name, final IommuDmaDomain domain, final boolean permanent)
        {
            this.kind = kind;
            this.allocator = kind == Kind.ALLOCATOR;
            this.name = name;
            this.domain = domain;
            this.permanent = permanent;
        }

        boolean translate()
        {
            return kind == Kind.ALLOCATOR || kind == Kind.EXPLICIT;
        }

        IommuDmaDomainType type()
        {
            return kind == Kind.PASS_THROUGH ? IommuDmaDomainType.PASS_THROUGH :
                kind == Kind.S1 ? IommuDmaDomainType.TRANSLATE_S1 : IommuDmaDomainType.TRANSLATE;
        }

        boolean anyMapped(final long from, final long to)
        {
            final Long key = pages.ceilingKey(from);
            return null != key && key < to;
        }

        /** Whether a page of [from, to) holds a logical or identity mapping (not a token's segment). */
        boolean anyPlainMapped(final long from, final long to)
        {
            for (final Map.Entry<Long, long[]> e : pages.subMap(from, to).entrySet())
            {
                if (e.getValue()[2] < 0)
                {
                    return true;
                }
            }
            return false;
        }

        boolean overlapsToken(final long from, final long to)
        {
            final Map.Entry<Long, TokenModel> below = tokens.lowerEntry(to);
            return null != below && below.getValue().basePage + below.getValue().pages > from;
        }

        /** Whether [from, to) overlaps a live allocator block (plain mappings' or tokens' rounded blocks). */
        boolean overlapsBlock(final long from, final long to)
        {
            final Map.Entry<Long, long[]> below = blocks.lowerEntry(to);
            if (null != below && below.getKey() + below.getValue()[0] > from)
            {
                return true;
            }
            final Map.Entry<Long, TokenModel> token = tokens.lowerEntry(to);
            return null != token && token.getKey() + roundUp(token.getValue().pages) > from;
        }

        @Override
        public String toString()
        {
            return name;
        }
    }

    /** A reference model of one token. */
    private static final class TokenModel
    {
        final IommuDmaLogicalAddressToken handle;
        final long basePage;
        final long pages;
        /** Offset page to the segment mapped there. */
        final TreeMap<Long, IommuDmaLogicalAddressTokenMappedSegment> segments = new TreeMap<>();

        TokenModel(final IommuDmaLogicalAddressToken handle)
        {
            this.handle = handle;
            this.basePage = handle.logicalAddressBase() >>> 12;
            this.pages = handle.size() >>> 12;
        }
    }

    /** A reference model of one device object: no device, a token (CreateDevice) or a V1 record (AttachDevice). */
    private static final class Dev
    {
        final String name;
        final PhysicalDeviceObject pdo;
        /** The PASID configuration CreateDevice passes for this device object, or null. */
        final IommuPasidConfigurationType config;
        /** Created and attached at the start, detached and deleted at the end only. */
        final boolean permanent;
        IommuDmaDevice token;
        boolean suppress;
        /** The device V1 AttachDevice made ({@code dmaDeviceOf}), or null. */
        IommuDmaDevice v1Handle;
        Model attached;
        /** Deleted tokens and V1 records of this device object. */
        final List<IommuDmaDevice> stale = new ArrayList<>();

        Dev(final String name, final PhysicalDeviceObject pdo, final IommuPasidConfigurationType config,
            final boolean permanent)
        {
            this.name = name;
            this.pdo = pdo;
            this.config = config;
            this.permanent = permanent;
        }

        IommuDmaDevice handle()
        {
            return null != token ? token : v1Handle;
        }

        boolean live()
        {
            return null != handle();
        }

        @Override
        public String toString()
        {
            return name + (null != token ? "(token)" : null != v1Handle ? "(V1)" : "(none)");
        }
    }

    /** A reference model of one PASID sub-device. */
    private static final class Sub
    {
        final IommuDmaPasidDevice handle;
        final Dev parent;
        final int pasid;
        Model attached;

        Sub(final IommuDmaPasidDevice handle, final Dev parent, final int pasid)
        {
            this.handle = handle;
            this.parent = parent;
            this.pasid = pasid;
        }

        @Override
        public String toString()
        {
            return parent.name + "/pasid " + pasid;
        }
    }

    /** A device-side view of a domain: a device handle and the PASID of the access. */
    private static final class Viewer
    {
        final IommuDmaDevice handle;
        final int pasid;
        final String label;

        Viewer(final IommuDmaDevice handle, final int pasid, final String label)
        {
            this.handle = handle;
            this.pasid = pasid;
            this.label = label;
        }
    }

    private static long roundUp(final long pages)
    {
        return pages <= 1 ? 1 : Long.highestOneBit(pages - 1) << 1;
    }

    private V2Rig rig;
    private long initialFreeBytes;
    private SplittableRandom random;
    private long seed;
    private int step;
    private String lastOp = "";
    private Model allocatorModel;
    private Model explicitModel;
    /** A TranslateS1 and a PassThrough domain that stay until the teardown (attach targets). */
    private Model s1Model;
    private Model passThroughModel;
    private int domainNames;
    private boolean blocking;
    private final List<Model> models = new ArrayList<>();
    private final List<IommuDmaDomain> staleDomains = new ArrayList<>();
    private final Map<String, Dev> devs = new LinkedHashMap<>();
    private final List<Dev> devList = new ArrayList<>();
    private final List<Sub> subs = new ArrayList<>();
    private final List<IommuDmaPasidDevice> staleSubs = new ArrayList<>();
    private final BitSet pasids = new BitSet();
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private final int[] faultsDelivered = new int[1];
    private final DeviceFaultConfiguration faultConfig = new DeviceFaultConfiguration()
        .faultHandler((final Object context, final FaultInformation info) -> faultsDelivered[0]++)
        .faultContext("model");

    /**
     * The machine: {@code vtd0} (48-bit, 20-bit PASIDs), {@code lame} (no device-id lookup, no PASIDs) and
     * {@code tiny} (2-bit PASIDs); tokens {@code nic} and {@code disk} stay attached to the domains A and E;
     * {@code gpu} and {@code ext} (external) come and go as tokens or V1 records; {@code accel0}, {@code accel1}
     * (policy: no TranslateS1) and {@code accelT} (behind tiny) are created for PASID-tagged DMA, {@code dflt} for
     * the default PASID only; {@code legacy} is behind lame and {@code direct} behind no IOMMU. DMA Guard is on.
     */
    private static Platform platform()
    {
        final Platform platform = Platform.builder()
            .architecture(Architecture.X64)
            .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 20, true, 0)
            .iommu("lame", 0xFED8_0000L, 48, PageSizes.ALLOW_ALL, 0, false, 1)
            .iommu("tiny", 0xFED7_0000L, 48, PageSizes.ALLOW_ALL, TINY_PASID_WIDTH, true, 2)
            .pci("nic", 0, 1, 0, 0, "vtd0", false)
            .pci("disk", 0, 2, 0, 0, "vtd0", false)
            .pci("gpu", 0, 3, 0, 0, "vtd0", false)
            .pci("ext", 0, 4, 0, 0, "vtd0", true)
            .pci("direct", 0, 5, 0, 0, null, false)
            .pci("accel0", 0, 6, 0, 0, "vtd0", false)
            .pci("accel1", 0, 7, 0, 0, "vtd0", false)
            .pci("dflt", 0, 8, 0, 0, "vtd0", false)
            .pci("legacy", 1, 1, 0, 0, "lame", false)
            .pci("accelT", 2, 1, 0, 0, "tiny", false)
            .dmaGuard(true)
            .limits(new ResourceLimits(64, MAX_DOMAINS, 4096, 4, MAX_PASID_DEVICES))
            .build();
        platform.policy().restrict(platform.device("accel1"), ACCEL1_ALLOWED);
        return platform;
    }

    @Test
    void randomOperationsMatchTheModel()
    {
        seed = Long.getLong("iommu.model.seed", System.nanoTime());
        random = new SplittableRandom(seed);
        rig = new V2Rig(platform());
        try
        {
            run();
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError("seed " + seed + " (replay with -Diommu.model.seed=" + seed + "), step " + step +
                ", last operation " + lastOp + ": " + ex.getMessage(), ex);
        }
        finally
        {
            rig.close();
        }
    }

    /**
     * Found by {@link #randomOperationsMatchTheModel()} (seed 1620412110458, step 13445: V1 MapIdentityRange of
     * frames 65532 to 65536 and 65652 to 65656 refused with STATUS_RESOURCE_IN_USE, table pages 109 before, 110
     * after). A map refused for a clash, whose range starts in a page table that did not exist, kept the empty table
     * it installed. Now the page-table engine looks for the clash before it installs any table: nothing changes,
     * table pages included.
     */
    @Test
    void refusedMapForAClashKeepsNoTable()
    {
        try (V2Rig r = V2Rig.x64())
        {
            final long clash = 0x1000_0000L;
            final long below = clash - PAGE;
            final long start = r.emulator.tablePagesInUse();
            final String[] members = {"MapLogicalRangeEx", "V1 MapLogicalRange", "V1 MapIdentityRange"};
            for (int member = 0; member < members.length; member++)
            {
                final Ref<IommuDmaDomain> out = new Ref<>();
                assertEquals(STATUS_SUCCESS, r.v1.createDomain(true, out));
                final IommuDmaDomain d = out.get();
                assertEquals(STATUS_SUCCESS, r.v1.mapLogicalRange(d, IommuPermissions.READ_WRITE,
                    new Mdl().describe(new long[]{0x42}, PAGE), clash));
                final long[] before = r.snapshot();
                final int status;
                if (member == 0)
                {
                    status = r.iommu.mapLogicalRangeEx(d, IommuPermissions.READ, V2Rig.pfns(7, 8),
                        new LongRef(below), null, null, new LongRef());
                }
                else if (member == 1)
                {
                    status = r.v1.mapLogicalRange(d, IommuPermissions.READ, new Mdl().describe(new long[]{7, 8},
                        2 * PAGE), below);
                }
                else
                {
                    status = r.v1.mapIdentityRange(d, IommuPermissions.READ, new Mdl().describe(
                        new long[]{below >>> 12, clash >>> 12}, 2 * PAGE));
                }
                assertEquals(NtStatus.name(STATUS_IN_USE), NtStatus.name(status), members[member]);
                final long[] after = r.snapshot();
                assertEquals(Arrays.toString(before), Arrays.toString(after), members[member] + ": nothing changed");
                assertEquals(-1, V2Rig.output(d, below), members[member] + ": nothing mapped below the clash");
                assertEquals(STATUS_SUCCESS, r.v1.deleteDomain(d));
                assertEquals(start, r.emulator.tablePagesInUse(), members[member] + ": DeleteDomain gives all back");
            }
        }
    }

    private void run()
    {
        final long startPages = rig.emulator.tablePagesInUse();
        allocatorModel = new Model(Kind.ALLOCATOR, "A", rig.allocatorDomain(), true);
        explicitModel = new Model(Kind.EXPLICIT, "E", rig.explicitDomain(), true);
        models.add(allocatorModel);
        models.add(explicitModel);
        final IovaAllocator iova = ((MappingDomain)allocatorModel.domain).allocator();
        initialFreeBytes = iova.freeBytes();
        addDev("nic", null, true).token = rig.attached("nic", allocatorModel.domain);
        devs.get("nic").attached = allocatorModel;
        addDev("disk", null, true).token = rig.attached("disk", explicitModel.domain);
        devs.get("disk").attached = explicitModel;
        addDev("gpu", null, false);
        addDev("ext", null, false);
        addDev("accel0", IommuPasidConfigurationType.PASID_TAGGED_DMA, false);
        addDev("accel1", IommuPasidConfigurationType.PASID_TAGGED_DMA, false);
        addDev("accelT", IommuPasidConfigurationType.PASID_TAGGED_DMA, false);
        addDev("dflt", IommuPasidConfigurationType.DEFAULT_PASID_ONLY, false);
        addDev("legacy", null, false);
        addDev("direct", null, false);
        // A TranslateS1 and a PassThrough domain that stay, a first V1 domain, and the PASID-tagged tokens.
        s1Model = new Model(Kind.S1, "S1", rig.domain(IommuDmaDomainType.TRANSLATE_S1), true);
        passThroughModel = new Model(Kind.PASS_THROUGH, "PT", rig.domain(IommuDmaDomainType.PASS_THROUGH), true);
        models.add(s1Model);
        models.add(passThroughModel);
        createDomainOf(8);
        createDevice(devs.get("accel0"));
        createDevice(devs.get("accel1"));
        createDevice(devs.get("accelT"));
        final int[] counts = new int[OPS.length];
        for (step = 0; step < OPERATIONS; step++)
        {
            final int op = pick();
            counts[op]++;
            Model m = random.nextBoolean() ? (random.nextBoolean() ? allocatorModel : explicitModel) : randomModel();
            operation(op, m);
            if (!m.alive)
            {
                m = randomModel();
            }
            translate(m, randomPage(m));
            randomView();
            if (step % CHECK_EVERY == CHECK_EVERY - 1)
            {
                checkpoint();
            }
        }
        for (int op = 0; op < OPS.length; op++)
        {
            assertTrue(counts[op] > OPERATIONS * WEIGHTS[op] / 2000, OPS[op] + " ran " + counts[op] + " times");
        }
        checkpoint();
        tearDownAll(iova, startPages);
        assertOutcomes();
    }

    private Dev addDev(final String name, final IommuPasidConfigurationType config, final boolean permanent)
    {
        final Dev d = new Dev(name, rig.platform.device(name), config, permanent);
        devs.put(name, d);
        devList.add(d);
        return d;
    }

    private int pick()
    {
        int dice = random.nextInt(1000);
        for (int op = 0; op < WEIGHTS.length; op++)
        {
            dice -= WEIGHTS[op];
            if (dice < 0)
            {
                return op;
            }
        }
        return 0;
    }

    private void operation(final int op, final Model m)
    {
        switch (op)
        {
            case 0:
                map(m);
                break;
            case 1:
                unmap(m);
                break;
            case 2:
                translate(m, randomPage(m));
                break;
            case 3:
                reserve(m);
                break;
            case 4:
                mapReserved(m);
                break;
            case 5:
                unmapReserved(m);
                break;
            case 6:
                free(m);
                break;
            case 7:
                unmapStale(m);
                break;
            case 8:
                mapV1(m);
                break;
            case 9:
                mapIdentityV1(m);
                break;
            case 10:
                unmapIdentityV1(m);
                break;
            case 11:
                createDomainOf(random.nextInt(12));
                break;
            case 12:
                deleteDomain();
                break;
            case 13:
                attachV1();
                break;
            case 14:
                detachV1();
                break;
            case 15:
                faultReporting();
                break;
            case 16:
                deviceToken();
                break;
            case 17:
                createPasid();
                break;
            case 18:
                deletePasid();
                break;
            case 19:
                attachPasid();
                break;
            case 20:
                detachPasid();
                break;
            case 21:
                queryDeviceInfo();
                break;
            default:
                blocking = !blocking;
                lastOp = "DMA Guard blocking " + blocking;
                rig.platform.policy().blockingActive(blocking);
                break;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    /** The V2 members, through the V2 table or the V3 table (a V2 view plus the PASID members). */
    private DmaIommuInterfaceV2 v2()
    {
        return random.nextBoolean() ? rig.iommu : rig.v3;
    }

    private Model randomModel()
    {
        return models.get(random.nextInt(models.size()));
    }

    /** A domain to attach to: often the TranslateS1 or PassThrough domain; null for a deleted one. */
    private Model attachTarget()
    {
        if (!staleDomains.isEmpty() && random.nextInt(12) == 0)
        {
            return null;
        }
        final int dice = random.nextInt(10);
        return dice < 3 ? s1Model : dice < 5 ? passThroughModel : randomModel();
    }

    private Dev randomDev()
    {
        return devList.get(random.nextInt(devList.size()));
    }

    private IommuDmaDomain staleDomain()
    {
        return staleDomains.get(random.nextInt(staleDomains.size()));
    }

    private static <T> T any(final SplittableRandom random, final List<T> list)
    {
        return list.get(random.nextInt(list.size()));
    }

    private static int status(final String what, final int expected, final int actual)
    {
        assertEquals(NtStatus.name(expected), NtStatus.name(actual), what);
        return actual;
    }

    /**
     * Runs a call whose status the model predicts; a refused call must change nothing observable (the rig's
     * snapshot, table pages included). Records the outcome under {@code category}.
     */
    private int call(final String category, final String detail, final int expected, final IntSupplier call)
    {
        lastOp = category + " " + detail;
        final long[] before = expected == STATUS_SUCCESS || random.nextInt(SNAPSHOT_ONE_IN) != 0 ? null :
            rig.snapshot();
        status(lastOp, expected, call.getAsInt());
        if (null != before)
        {
            final long[] after = rig.snapshot();
            assertEquals(Arrays.toString(before), Arrays.toString(after), lastOp + ": a refused call changed nothing");
        }
        outcome(category + ":" + NtStatus.name(expected));
        return expected;
    }

    private void outcome(final String what)
    {
        outcomes.merge(what, 1, Integer::sum);
    }

    private int attachedCount(final Model m)
    {
        int count = 0;
        for (final Dev d : devList)
        {
            count += d.attached == m ? 1 : 0;
        }
        for (final Sub s : subs)
        {
            count += s.attached == m ? 1 : 0;
        }
        return count;
    }

    /** The domain types the DMA Guard policy offers a device now (the rule of DmaGuardPolicy, DMA Guard on). */
    private int available(final Dev d)
    {
        int types = IommuDmaDomainType.TRANSLATE.mask();
        if (d.pdo.iommu().supportsPasid())
        {
            types |= IommuDmaDomainType.TRANSLATE_S1.mask();
        }
        if (!(d.pdo.isExternal() || blocking))
        {
            types |= IommuDmaDomainType.PASS_THROUGH.mask();
        }
        return d.name.equals("accel1") ? types & ACCEL1_ALLOWED : types;
    }

    private long[] frames(final int n)
    {
        final long[] frames = new long[n];
        for (int i = 0; i < n; i++)
        {
            frames[i] = random.nextLong(1, 1L << 30);
        }
        return frames;
    }

    private long randomPage(final Model m)
    {
        if (!m.pages.isEmpty() && random.nextInt(3) != 0)
        {
            final Long key = m.pages.ceilingKey(m.allocator ? random.nextLong(1, m.pages.lastKey() + 1) :
                WINDOW + random.nextLong(WINDOW_PAGES));
            if (null != key)
            {
                return key + random.nextInt(-1, 2);
            }
        }
        return m.allocator ? random.nextLong(0, 1 << 16) : WINDOW + random.nextLong(-8, WINDOW_PAGES + 72);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Device-side views
    // ------------------------------------------------------------------------------------------------------------

    /** What an access of {@code address} through {@code m} gives: an output address, NOT_PRESENT or PERMISSION. */
    private static long expectedView(final Model m, final long address, final int access, final boolean device)
    {
        if (null == m || m.kind == Kind.S1)
        {
            return NOT_PRESENT;
        }
        if (device && m.kind == Kind.PASS_THROUGH)
        {
            return address;
        }
        final long[] entry = m.pages.get(address >>> 12);
        if (null == entry)
        {
            return NOT_PRESENT;
        }
        if ((entry[1] & access) == 0)
        {
            return PERMISSION;
        }
        return (entry[0] << 12) + (address & (PAGE - 1));
    }

    private static void assertView(final String what, final long expected, final long t, final long address)
    {
        if (expected == NOT_PRESENT)
        {
            assertTrue(Translation.isFault(t), what + ": expected a fault");
            assertEquals(Translation.FAULT_NOT_PRESENT, Translation.faultReason(t), what);
        }
        else if (expected == PERMISSION)
        {
            assertTrue(Translation.isFault(t), what + ": expected a permission fault");
            assertEquals(Translation.FAULT_PERMISSION, Translation.faultReason(t), what);
        }
        else
        {
            assertTrue(!Translation.isFault(t), what + ": unexpected fault " + Translation.faultReason(t));
            assertEquals(Long.toHexString(expected), Long.toHexString(Translation.outputAddress(t, address)), what);
        }
    }

    private List<Viewer> viewersOf(final Model m)
    {
        final List<Viewer> viewers = new ArrayList<>();
        for (final Dev d : devList)
        {
            if (d.attached == m)
            {
                viewers.add(new Viewer(d.handle(), random.nextInt(4) == 0 ? 0 : IommuEmulator.NO_PASID, d.name));
            }
        }
        for (final Sub s : subs)
        {
            if (s.attached == m)
            {
                viewers.add(new Viewer(s.parent.token, s.pasid, s.toString()));
            }
        }
        return viewers;
    }

    /** A translate of one page of {@code m} by a device (or PASID) attached to it, else by the domain's tables. */
    private void translate(final Model m, final long page)
    {
        if (page < 0)
        {
            return;
        }
        final long address = (page << 12) + random.nextLong(PAGE);
        final int access = random.nextBoolean() ? IommuPermissions.READ : IommuPermissions.WRITE;
        final List<Viewer> viewers = viewersOf(m);
        if (viewers.isEmpty())
        {
            final long t = ((MappingDomain)m.domain).translate(address, access);
            assertView("walk of " + m + " at 0x" + Long.toHexString(address) + " access " + access + " after " +
                lastOp, expectedView(m, address, access, false), t, address);
            return;
        }
        final Viewer v = viewers.get(random.nextInt(viewers.size()));
        final long t = v.pasid == IommuEmulator.NO_PASID && random.nextBoolean() ?
            rig.emulator.translate(v.handle, address, access) :
            rig.emulator.translate(v.handle, v.pasid, address, access);
        final long expected = expectedView(m, address, access, true);
        assertView("translate 0x" + Long.toHexString(address) + " access " + access + " by " + v.label + " pasid " +
            v.pasid + " in " + m + " after " + lastOp, expected, t, address);
        if (v.pasid > 0 && expected >= 0)
        {
            outcome("view: a PASID-tagged access reached its sub-device's domain");
        }
    }

    /** The domain a sub-device of {@code d} with {@code pasid} walks, or null (none, or not attached). */
    private Model subDomain(final Dev d, final int pasid)
    {
        for (final Sub s : subs)
        {
            if (s.parent == d && s.pasid == pasid)
            {
                return s.attached;
            }
        }
        return null;
    }

    /** A random device (token, V1 record or deleted handle) and PASID, against the model's view. */
    private void randomView()
    {
        final Dev d = randomDev();
        final IommuDmaDevice handle;
        if (d.live() && random.nextInt(8) != 0)
        {
            handle = d.handle();
        }
        else if (!d.stale.isEmpty())
        {
            handle = any(random, d.stale);
        }
        else
        {
            return;
        }
        final int pasid;
        final int choice = random.nextInt(8);
        if (choice < 2)
        {
            pasid = IommuEmulator.NO_PASID;
        }
        else if (choice == 2)
        {
            pasid = 0;
        }
        else if (choice < 7 && !subs.isEmpty())
        {
            pasid = any(random, subs).pasid;
        }
        else
        {
            pasid = random.nextInt(1, 9);
        }
        final Model target = handle != d.handle() ? null : pasid <= 0 ? d.attached : subDomain(d, pasid);
        final long page = null == target ? WINDOW + random.nextLong(WINDOW_PAGES) : randomPage(target);
        if (page < 0)
        {
            return;
        }
        final long address = (page << 12) + random.nextLong(PAGE);
        final int access = random.nextBoolean() ? IommuPermissions.READ : IommuPermissions.WRITE;
        final long t = rig.emulator.translate(handle, pasid, address, access);
        assertView("view of " + d + (handle != d.handle() ? " (deleted handle)" : "") + " pasid " + pasid +
            " at 0x" + Long.toHexString(address) + " in " + target + " after " + lastOp,
            expectedView(target, address, access, true), t, address);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Mappings: V2 MapLogicalRangeEx, UnmapLogicalRange (either table), the token members
    // ------------------------------------------------------------------------------------------------------------

    private void map(final Model m)
    {
        final int n = random.nextInt(1, 65);
        final long[] frames = frames(n);
        final int perms = random.nextInt(1, 4);
        final LongRef out = new LongRef();
        if (!m.translate())
        {
            final long first = WINDOW + random.nextLong(WINDOW_PAGES);
            call("MapLogicalRangeEx", m + " " + first, STATUS_INVALID_PARAMETER_1, () -> v2().mapLogicalRangeEx(
                m.domain, perms, V2Rig.pfns(frames), new LongRef(first << 12), null, null, out));
            return;
        }
        if (m.allocator)
        {
            lastOp = "map allocator " + n;
            status(lastOp, STATUS_SUCCESS, v2().mapLogicalRangeEx(
                m.domain, perms, V2Rig.pfns(frames), null, null, null, out));
            final long first = out.get() >>> 12;
            final long block = roundUp(n);
            assertEquals(0, first % block, "buddy block aligned to its size");
            assertTrue(first > 0, "page 0 never handed out");
            assertTrue(!m.overlapsBlock(first, first + block), "a live block or token handed out again at " + first);
            m.blocks.put(first, new long[]{block, n});
            for (int i = 0; i < n; i++)
            {
                m.pages.put(first + i, new long[]{frames[i], perms, -1});
            }
        }
        else
        {
            final long first = WINDOW + random.nextLong(WINDOW_PAGES);
            lastOp = "map explicit " + m + " " + first + "+" + n;
            final int expected = m.anyMapped(first, first + n) || m.overlapsToken(first, first + n) ?
                STATUS_IN_USE : STATUS_SUCCESS;
            status(lastOp, expected, v2().mapLogicalRangeEx(
                m.domain, perms, V2Rig.pfns(frames), new LongRef(first << 12), null, null, out));
            if (expected == STATUS_SUCCESS)
            {
                assertEquals(first << 12, out.get());
                for (int i = 0; i < n; i++)
                {
                    m.pages.put(first + i, new long[]{frames[i], perms, -1});
                }
            }
        }
    }

    private void unmap(final Model m)
    {
        final boolean viaV1 = random.nextBoolean();
        if (!m.translate())
        {
            final long first = WINDOW + random.nextLong(WINDOW_PAGES);
            call(viaV1 ? "V1 UnmapLogicalRange" : "UnmapLogicalRange", m + " " + first, STATUS_INVALID_PARAMETER_1,
                () -> viaV1 ? rig.v1.unmapLogicalRange(m.domain, first << 12, 1) :
                    v2().unmapLogicalRange(m.domain, first << 12, 1));
            return;
        }
        long first;
        if (!m.pages.isEmpty() && random.nextInt(4) != 0)
        {
            final long pick = randomPage(m);
            first = Math.max(1, pick - random.nextInt(0, 4));
        }
        else
        {
            first = randomPage(m);
        }
        first = Math.max(1, first);
        final long n;
        final int shape = random.nextInt(4);
        if (shape == 0 && m.pages.containsKey(first))
        {
            // Whole mapping from here: up to the end of the run of mapped pages.
            long end = first;
            while (m.pages.containsKey(end) && m.pages.get(end)[2] < 0)
            {
                end++;
            }
            n = Math.max(1, end - first);
        }
        else
        {
            n = random.nextInt(1, shape == 1 ? 130 : 40);
        }
        lastOp = (viaV1 ? "V1 " : "") + "unmap " + m + " " + first + "+" + n;
        final int expected = m.overlapsToken(first, first + n) ? STATUS_INVALID_PARAMETER :
            m.anyPlainMapped(first, first + n) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
        final long[] before = expected == STATUS_SUCCESS ? null : rig.snapshot();
        final long address = first << 12;
        status(lastOp, expected, viaV1 ? rig.v1.unmapLogicalRange(m.domain, address, n) :
            v2().unmapLogicalRange(m.domain, address, n));
        if (expected != STATUS_SUCCESS)
        {
            assertEquals(Arrays.toString(before), Arrays.toString(rig.snapshot()), lastOp);
            return;
        }
        final List<Long> gone = new ArrayList<>(m.pages.subMap(first, first + n).keySet());
        for (final long page : gone)
        {
            m.pages.remove(page);
            if (m.allocator)
            {
                final Map.Entry<Long, long[]> block = m.blocks.floorEntry(page);
                assertTrue(null != block && block.getKey() + block.getValue()[0] > page, "page in a block");
                if (--block.getValue()[1] == 0)
                {
                    m.blocks.remove(block.getKey());
                }
            }
        }
    }

    private void reserve(final Model m)
    {
        if (m.tokens.size() >= MAX_TOKENS)
        {
            return;
        }
        final int n = random.nextInt(1, 17);
        final Ref<IommuDmaLogicalAddressToken> out = new Ref<>();
        if (!m.translate())
        {
            final long first = WINDOW + random.nextLong(WINDOW_PAGES);
            call("ReserveLogicalAddressRange", m.toString(), STATUS_INVALID_PARAMETER_1, () ->
                v2().reserveLogicalAddressRange(m.domain, n * PAGE, new LongRef(first << 12), null, null, out));
            return;
        }
        if (m.allocator)
        {
            lastOp = "reserve allocator " + n;
            status(lastOp, STATUS_SUCCESS, v2().reserveLogicalAddressRange(
                m.domain, n * PAGE, null, null, null, out));
            final TokenModel token = new TokenModel(out.get());
            assertTrue(!m.overlapsBlock(token.basePage, token.basePage + roundUp(n)),
                "token over a live block at " + token.basePage);
            assertEquals(0, token.basePage % roundUp(n));
            m.tokens.put(token.basePage, token);
        }
        else
        {
            final long first = WINDOW + random.nextLong(WINDOW_PAGES);
            lastOp = "reserve explicit " + m + " " + first + "+" + n;
            final int expected = m.anyMapped(first, first + n) || m.overlapsToken(first, first + n) ?
                STATUS_IN_USE : STATUS_SUCCESS;
            status(lastOp, expected, v2().reserveLogicalAddressRange(
                m.domain, n * PAGE, new LongRef(first << 12), null, null, out));
            if (expected == STATUS_SUCCESS)
            {
                final TokenModel token = new TokenModel(out.get());
                assertEquals(first, token.basePage);
                m.tokens.put(first, token);
            }
        }
    }

    private TokenModel randomToken(final Model m)
    {
        if (m.tokens.isEmpty())
        {
            return null;
        }
        int index = random.nextInt(m.tokens.size());
        for (final TokenModel token : m.tokens.values())
        {
            if (index-- == 0)
            {
                return token;
            }
        }
        return null;
    }

    private void mapReserved(final Model m)
    {
        final TokenModel token = randomToken(m);
        if (null == token)
        {
            return;
        }
        final long offset = random.nextLong(token.pages);
        final int n = random.nextInt(1, (int)Math.min(token.pages, 8) + 2);
        final long[] frames = frames(n);
        final int perms = random.nextInt(1, 4);
        lastOp = "mapReserved " + m + " " + token.basePage + "@" + offset + "+" + n;
        final int expected;
        if (offset + n > token.pages)
        {
            expected = STATUS_INVALID_PARAMETER_4;
        }
        else if (m.anyMapped(token.basePage + offset, token.basePage + offset + n))
        {
            expected = STATUS_RESOURCE_IN_USE;
        }
        else
        {
            expected = STATUS_SUCCESS;
        }
        final IommuDmaLogicalAddressTokenMappedSegment segment = new IommuDmaLogicalAddressTokenMappedSegment();
        status(lastOp, expected, v2().mapReservedLogicalRange(
            token.handle, offset * PAGE, perms, V2Rig.pfns(frames), segment));
        if (expected == STATUS_SUCCESS)
        {
            assertEquals(offset * PAGE, segment.offset());
            assertEquals(n * PAGE, segment.size());
            token.segments.put(offset, segment);
            for (int i = 0; i < n; i++)
            {
                m.pages.put(token.basePage + offset + i, new long[]{frames[i], perms, token.basePage});
            }
        }
    }

    private void unmapReserved(final Model m)
    {
        final TokenModel token = randomToken(m);
        if (null == token || token.segments.isEmpty())
        {
            return;
        }
        final long offset = token.segments.keySet().toArray(new Long[0])[random.nextInt(token.segments.size())];
        final IommuDmaLogicalAddressTokenMappedSegment segment = token.segments.remove(offset);
        lastOp = "unmapReserved " + m + " " + token.basePage + "@" + offset;
        m.staleSegments.add(new IommuDmaLogicalAddressTokenMappedSegment()
            .owningToken(segment.owningToken()).offset(segment.offset()).size(segment.size()));
        final long pages = segment.size() >>> 12;
        status(lastOp, STATUS_SUCCESS, v2().unmapReservedLogicalRange(segment));
        assertEquals(null, segment.owningToken(), "segment zeroed");
        for (long i = 0; i < pages; i++)
        {
            m.pages.remove(token.basePage + offset + i);
        }
    }

    private void unmapStale(final Model m)
    {
        if (m.staleSegments.isEmpty())
        {
            return;
        }
        final IommuDmaLogicalAddressTokenMappedSegment stale =
            m.staleSegments.remove(random.nextInt(m.staleSegments.size()));
        final long base = stale.owningToken().logicalAddressBase() >>> 12;
        lastOp = "unmap stale segment " + m + " " + base + "@" + (stale.offset() >>> 12);
        // A stale copy is refused unless a live segment of exactly that offset and size was mapped again since.
        final TokenModel token = m.tokens.get(base);
        if (null != token && token.handle == stale.owningToken())
        {
            final IommuDmaLogicalAddressTokenMappedSegment now = token.segments.get(stale.offset() >>> 12);
            if (null != now && now.size() == stale.size())
            {
                return;
            }
        }
        final long[] before = rig.snapshot();
        status(lastOp, STATUS_INVALID_PARAMETER, v2().unmapReservedLogicalRange(stale));
        assertEquals(Arrays.toString(before), Arrays.toString(rig.snapshot()), lastOp);
    }

    private void free(final Model m)
    {
        final TokenModel token = randomToken(m);
        if (null == token)
        {
            return;
        }
        lastOp = "free " + m + " " + token.basePage + " with " + token.segments.size() + " segments";
        final int expected = token.segments.isEmpty() ? STATUS_SUCCESS : STATUS_RESOURCE_IN_USE;
        status(lastOp, expected, v2().freeReservedLogicalAddressRange(token.handle));
        if (expected == STATUS_SUCCESS)
        {
            m.tokens.remove(token.basePage);
            status(lastOp + " twice", STATUS_INVALID_PARAMETER,
                v2().freeReservedLogicalAddressRange(token.handle));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // V1 mappings: MapLogicalRange (MDL, explicit address), MapIdentityRange, UnmapIdentityRange
    // ------------------------------------------------------------------------------------------------------------

    private void mapV1(final Model m)
    {
        if (!staleDomains.isEmpty() && random.nextInt(30) == 0)
        {
            final IommuDmaDomain stale = staleDomain();
            final Mdl mdl = new Mdl().describe(new long[]{7}, PAGE);
            call("V1 MapLogicalRange", "deleted domain", STATUS_INVALID_PARAMETER,
                () -> rig.v1.mapLogicalRange(stale, IommuPermissions.READ, mdl, WINDOW << 12));
            return;
        }
        final int n = random.nextInt(1, 65);
        final long[] frames = frames(n);
        final Mdl mdl = new Mdl().describe(frames, n * PAGE);
        long first = WINDOW + random.nextLong(WINDOW_PAGES);
        long address = first << 12;
        int perms = random.nextInt(0, 4);
        final int malformed = random.nextInt(40);
        int argument = STATUS_SUCCESS;
        if (malformed == 0)
        {
            perms = 4;
            argument = STATUS_INVALID_PARAMETER_2;
        }
        else if (malformed == 1)
        {
            mdl.byteOffset(16);
            argument = STATUS_INVALID_PARAMETER_3;
        }
        else if (malformed == 2)
        {
            address += 0x800;
            argument = STATUS_INVALID_PARAMETER_4;
        }
        else if (malformed == 3)
        {
            first = LIMIT_FRAME - random.nextInt(0, n);
            address = first << 12;
            argument = STATUS_INVALID_PARAMETER_4;
        }
        final int expected;
        if (!m.translate())
        {
            expected = STATUS_INVALID_PARAMETER_1;
        }
        else if (m.allocator)
        {
            expected = STATUS_NOT_SUPPORTED;
        }
        else if (argument != STATUS_SUCCESS)
        {
            expected = argument;
        }
        else
        {
            expected = m.anyMapped(first, first + n) || m.overlapsToken(first, first + n) ?
                STATUS_IN_USE : STATUS_SUCCESS;
        }
        final int permissions = perms;
        final long at = address;
        call("V1 MapLogicalRange", m + " " + first + "+" + n + " perms " + perms, expected,
            () -> rig.v1.mapLogicalRange(m.domain, permissions, mdl, at));
        if (expected == STATUS_SUCCESS)
        {
            for (int i = 0; i < n; i++)
            {
                m.pages.put(first + i, new long[]{frames[i], permissions, -1});
            }
        }
    }

    /** One to three runs of consecutive frames in and around the explicit window. */
    private long[] identityFrames()
    {
        final List<Long> list = new ArrayList<>();
        final int runs = random.nextInt(1, 4);
        for (int r = 0; r < runs; r++)
        {
            final long start = WINDOW - 8 + random.nextLong(WINDOW_PAGES + 16);
            final int length = random.nextInt(1, 9);
            for (int i = 0; i < length; i++)
            {
                list.add(start + i);
            }
        }
        final long[] frames = new long[list.size()];
        for (int i = 0; i < frames.length; i++)
        {
            frames[i] = list.get(i);
        }
        return frames;
    }

    private static boolean distinct(final long[] frames)
    {
        final long[] sorted = frames.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++)
        {
            if (sorted[i] == sorted[i - 1])
            {
                return false;
            }
        }
        return true;
    }

    private void mapIdentityV1(final Model m)
    {
        if (!staleDomains.isEmpty() && random.nextInt(30) == 0)
        {
            final IommuDmaDomain stale = staleDomain();
            call("V1 MapIdentityRange", "deleted domain", STATUS_INVALID_PARAMETER, () -> rig.v1.mapIdentityRange(
                stale, IommuPermissions.READ, new Mdl().describe(new long[]{WINDOW}, PAGE)));
            return;
        }
        final long[] frames = identityFrames();
        final Mdl mdl = new Mdl().describe(frames, frames.length * PAGE);
        int perms = random.nextInt(1, 4);
        final int malformed = random.nextInt(40);
        int argument = STATUS_SUCCESS;
        if (malformed == 0)
        {
            perms = 4;
            argument = STATUS_INVALID_PARAMETER_2;
        }
        else if (malformed == 1)
        {
            mdl.byteOffset(8);
            argument = STATUS_INVALID_PARAMETER_3;
        }
        else if (malformed == 2)
        {
            // A valid frame whose identity address is past the domain's 48-bit space.
            frames[random.nextInt(frames.length)] = LIMIT_FRAME + random.nextInt(0, 1000);
            argument = STATUS_INVALID_PARAMETER_3;
        }
        final int expected;
        if (m.kind == Kind.S1)
        {
            expected = STATUS_INVALID_PARAMETER_1;
        }
        else if (argument != STATUS_SUCCESS)
        {
            expected = argument;
        }
        else if (m.allocator)
        {
            expected = STATUS_NOT_SUPPORTED;
        }
        else
        {
            boolean clash = !distinct(frames);
            for (final long frame : frames)
            {
                clash |= m.pages.containsKey(frame) || m.overlapsToken(frame, frame + 1);
            }
            expected = clash ? STATUS_IN_USE : STATUS_SUCCESS;
        }
        final int permissions = perms;
        call("V1 MapIdentityRange", m + " " + Arrays.toString(frames), expected,
            () -> rig.v1.mapIdentityRange(m.domain, permissions, mdl));
        if (expected == STATUS_SUCCESS)
        {
            for (final long frame : frames)
            {
                m.pages.put(frame, new long[]{frame, permissions, -2});
            }
        }
    }

    private void unmapIdentityV1(final Model m)
    {
        if (!staleDomains.isEmpty() && random.nextInt(30) == 0)
        {
            final IommuDmaDomain stale = staleDomain();
            call("V1 UnmapIdentityRange", "deleted domain", STATUS_INVALID_PARAMETER, () ->
                rig.v1.unmapIdentityRange(stale, new Mdl().describe(new long[]{WINDOW}, PAGE)));
            return;
        }
        long[] frames = null;
        if (random.nextInt(10) < 7)
        {
            // Mostly from an identity-mapped page of the model, one or two runs.
            final Long key = m.pages.ceilingKey(WINDOW - 8 + random.nextLong(WINDOW_PAGES + 16));
            if (null != key && m.pages.get(key)[0] == key)
            {
                final int length = random.nextInt(1, 5);
                final int twice = random.nextInt(4) == 0 ? 2 : 1;
                frames = new long[length * twice];
                for (int i = 0; i < frames.length; i++)
                {
                    frames[i] = key + i % length + (i >= length ? 1 : 0);
                }
            }
        }
        if (null == frames)
        {
            frames = identityFrames();
        }
        final Mdl mdl = new Mdl().describe(frames, frames.length * PAGE);
        final int malformed = random.nextInt(40);
        int argument = STATUS_SUCCESS;
        if (malformed == 0)
        {
            mdl.byteOffset(8);
            argument = STATUS_INVALID_PARAMETER_2;
        }
        else if (malformed == 1)
        {
            frames[0] = LIMIT_FRAME + random.nextInt(0, 1000);
        }
        final int expected;
        if (m.kind == Kind.S1)
        {
            expected = STATUS_INVALID_PARAMETER_1;
        }
        else if (argument != STATUS_SUCCESS)
        {
            expected = argument;
        }
        else if (m.allocator)
        {
            expected = STATUS_NOT_SUPPORTED;
        }
        else
        {
            // Every page identity-mapped (a mapping whose frame is its own page), none in a token or past the space.
            boolean all = true;
            for (final long frame : frames)
            {
                final long[] entry = m.pages.get(frame);
                all &= frame < LIMIT_FRAME && null != entry && entry[0] == frame && !m.overlapsToken(frame, frame + 1);
            }
            expected = all ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER_2;
        }
        call("V1 UnmapIdentityRange", m + " " + Arrays.toString(frames), expected,
            () -> rig.v1.unmapIdentityRange(m.domain, mdl));
        if (expected == STATUS_SUCCESS)
        {
            for (final long frame : frames)
            {
                m.pages.remove(frame);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Domains: V1 CreateDomain, CreateDomainEx, DeleteDomain (either table)
    // ------------------------------------------------------------------------------------------------------------

    private void createDomainOf(final int variant)
    {
        final Ref<IommuDmaDomain> out = new Ref<>();
        final boolean full = models.size() >= MAX_DOMAINS;
        final int created = full ? STATUS_INSUFFICIENT_RESOURCES : STATUS_SUCCESS;
        final Kind kind;
        final String name;
        switch (variant)
        {
            case 0:
                call("V1 CreateDomain(FALSE)", "x64", STATUS_NOT_SUPPORTED, () -> rig.v1.createDomain(false, out));
                return;
            case 1:
                call("V1 CreateDomain(TRUE)", "no DomainOut", STATUS_INVALID_PARAMETER_2,
                    () -> rig.v1.createDomain(true, null));
                return;
            case 2:
                call("CreateDomainEx", "Unmanaged on x64", STATUS_NOT_SUPPORTED, () -> v2().createDomainEx(
                    IommuDmaDomainType.UNMANAGED, 0, null, null, out));
                return;
            case 3:
            case 4:
                kind = Kind.S1;
                name = "S1#" + ++domainNames;
                call("CreateDomainEx", name, created, () -> v2().createDomainEx(
                    IommuDmaDomainType.TRANSLATE_S1, 0, null, null, out));
                break;
            case 5:
            case 6:
                kind = Kind.PASS_THROUGH;
                name = "PT#" + ++domainNames;
                call("CreateDomainEx", name, created, () -> v2().createDomainEx(
                    IommuDmaDomainType.PASS_THROUGH, 0, null, null, out));
                break;
            case 7:
                kind = Kind.EXPLICIT;
                name = "T#" + ++domainNames;
                call("CreateDomainEx", name, created, () -> v2().createDomainEx(
                    IommuDmaDomainType.TRANSLATE, 0, null, null, out));
                break;
            default:
                kind = Kind.EXPLICIT;
                name = "V1#" + ++domainNames;
                call("V1 CreateDomain(TRUE)", name, created, () -> rig.v1.createDomain(true, out));
                break;
        }
        if (!full)
        {
            assertNotNull(out.get(), lastOp);
            models.add(new Model(kind, name, out.get(), false));
        }
    }

    private void deleteDomain()
    {
        final boolean viaV1 = random.nextBoolean();
        final String category = viaV1 ? "V1 DeleteDomain" : "DeleteDomain";
        if (!staleDomains.isEmpty() && random.nextInt(8) == 0)
        {
            final IommuDmaDomain stale = staleDomain();
            call(category, "deleted domain", STATUS_INVALID_PARAMETER,
                () -> viaV1 ? rig.v1.deleteDomain(stale) : v2().deleteDomain(stale));
            return;
        }
        final Model m = randomModel();
        if (!m.permanent && random.nextInt(3) == 0)
        {
            evacuate(m);
        }
        int devices = 0;
        for (final Dev d : devList)
        {
            devices += d.attached == m ? 1 : 0;
        }
        final int attached = attachedCount(m);
        final int expected = attached != 0 || !m.tokens.isEmpty() ? STATUS_RESOURCE_IN_USE : STATUS_SUCCESS;
        if (m.permanent && expected == STATUS_SUCCESS)
        {
            return;
        }
        call(category, m + " with " + attached + " attached, " + m.tokens.size() + " tokens", expected,
            () -> viaV1 ? rig.v1.deleteDomain(m.domain) : v2().deleteDomain(m.domain));
        if (expected == STATUS_RESOURCE_IN_USE && devices == 0 && m.tokens.isEmpty())
        {
            outcome("DeleteDomain refused for attached PASID sub-devices only");
        }
        if (expected == STATUS_SUCCESS)
        {
            m.alive = false;
            models.remove(m);
            staleDomains.add(m.domain);
            if (staleDomains.size() > 8)
            {
                staleDomains.remove(0);
            }
        }
    }

    /**
     * Everything off a domain so that it can be deleted: sub-devices and tokens detached, V1 devices detached (their
     * records gone), segments unmapped and tokens freed. Its plain and identity mappings stay (DeleteDomain drops
     * them).
     */
    private void evacuate(final Model m)
    {
        for (final Sub s : subs)
        {
            if (s.attached == m)
            {
                call("DetachPasidDevice", s + " from " + m + " (evacuate)", STATUS_SUCCESS,
                    () -> rig.v3.detachPasidDevice(s.handle));
                s.attached = null;
            }
        }
        for (final Dev d : devList)
        {
            if (d.attached != m)
            {
                continue;
            }
            if (null != d.token)
            {
                call("DetachDeviceEx", d + " from " + m + " (evacuate)", STATUS_SUCCESS,
                    () -> v2().detachDeviceEx(d.token));
            }
            else
            {
                call("V1 DetachDevice", d + " from " + m + " (evacuate)", STATUS_SUCCESS,
                    () -> rig.v1.detachDevice(m.domain, d.pdo, 0));
                d.stale.add(d.v1Handle);
                d.v1Handle = null;
                assertNull(rig.emulator.dmaDeviceOf(d.pdo), lastOp + ": the device record is gone");
            }
            d.attached = null;
        }
        freeTokens(m);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Devices: V1 AttachDevice / DetachDevice / SetDeviceFaultReporting, tokens
    // ------------------------------------------------------------------------------------------------------------

    private void attachV1()
    {
        final Model m = attachTarget();
        final IommuDmaDomain domain = null == m ? staleDomain() : m.domain;
        final Dev d = random.nextInt(20) == 0 ? null : randomDev();
        final int shape = random.nextInt(12);
        final int base = shape == 1 ? 1 : 0;
        final int count = shape == 0 ? 2 : 1;
        final int expected;
        if (null == m || null == d)
        {
            expected = STATUS_INVALID_PARAMETER;
        }
        else if (null == d.pdo.iommu())
        {
            expected = STATUS_NOT_FOUND;
        }
        else if (!d.pdo.iommu().implementsDeviceIdLookup())
        {
            expected = STATUS_UNSUCCESSFUL;
        }
        else if (base != 0 || count != 1)
        {
            expected = STATUS_INVALID_PARAMETER_3;
        }
        else if (d.live())
        {
            expected = STATUS_INVALID_PARAMETER;
            outcome(null != d.token ? "V1 AttachDevice refused: the device object has a token" :
                "V1 AttachDevice refused: attached through V1 already");
        }
        else if (m.kind == Kind.S1 || (available(d) & m.type().mask()) == 0)
        {
            expected = STATUS_ACCESS_DENIED;
        }
        else
        {
            expected = STATUS_SUCCESS;
        }
        final IommuDmaDevice before = null == d ? null : rig.emulator.dmaDeviceOf(d.pdo);
        call("V1 AttachDevice", d + " to " + (null == m ? "a deleted domain" : m.toString()) + " base " + base +
            " count " + count, expected, () -> rig.v1.attachDevice(domain, null == d ? null : d.pdo, base, count));
        if (null != d)
        {
            if (expected == STATUS_SUCCESS)
            {
                d.v1Handle = rig.emulator.dmaDeviceOf(d.pdo);
                assertNotNull(d.v1Handle, "V1 AttachDevice makes the device's record");
                assertTrue(!d.stale.contains(d.v1Handle), "a new record");
                d.attached = m;
            }
            else
            {
                assertSame(before, rig.emulator.dmaDeviceOf(d.pdo), lastOp + ": dmaDeviceOf unchanged");
            }
        }
    }

    private void detachV1()
    {
        final Dev d = random.nextInt(20) == 0 ? null : randomDev();
        final Model m;
        if (null != d && null != d.v1Handle && random.nextInt(10) < 7)
        {
            m = d.attached;
        }
        else
        {
            m = !staleDomains.isEmpty() && random.nextInt(12) == 0 ? null : randomModel();
        }
        final IommuDmaDomain domain = null == m ? staleDomain() : m.domain;
        final int id = random.nextInt(10) == 0 ? 1 : 0;
        final int expected;
        if (null == m || null == d)
        {
            expected = STATUS_INVALID_PARAMETER;
        }
        else if (null == d.v1Handle || d.attached != m || id != 0)
        {
            expected = STATUS_INVALID_PARAMETER_2;
        }
        else
        {
            expected = STATUS_SUCCESS;
        }
        call("V1 DetachDevice", d + " from " + (null == m ? "a deleted domain" : m.toString()) + " id " + id,
            expected, () -> rig.v1.detachDevice(domain, null == d ? null : d.pdo, id));
        if (expected == STATUS_SUCCESS)
        {
            d.stale.add(d.v1Handle);
            d.v1Handle = null;
            d.attached = null;
            assertNull(rig.emulator.dmaDeviceOf(d.pdo), lastOp + ": the device record is gone");
        }
    }

    private void faultReporting()
    {
        final Dev d = random.nextInt(20) == 0 ? null : randomDev();
        final boolean enable = random.nextBoolean();
        final int shape = random.nextInt(10);
        final DeviceFaultConfiguration config = shape == 0 ? null : shape == 1 ? new DeviceFaultConfiguration() :
            faultConfig;
        final int base = random.nextInt(10) == 0 ? 1 : 0;
        final int expected;
        if (null == d)
        {
            expected = STATUS_INVALID_PARAMETER;
        }
        else if (enable && shape < 2)
        {
            expected = STATUS_INVALID_PARAMETER_4;
        }
        else if (!d.live() || null == d.attached)
        {
            expected = STATUS_INVALID_PARAMETER_1;
        }
        else if (base != 0)
        {
            expected = STATUS_INVALID_PARAMETER_2;
        }
        else
        {
            expected = STATUS_SUCCESS;
        }
        call("V1 SetDeviceFaultReporting", d + " enable " + enable + " config " + shape + " base " + base, expected,
            () -> rig.v1.setDeviceFaultReporting(null == d ? null : d.pdo, base, enable, config));
    }

    private void createDevice(final Dev d)
    {
        final boolean suppress = random.nextBoolean();
        final IommuDeviceCreationConfiguration config = null == d.config ? null :
            new IommuDeviceCreationConfiguration().pasid(d.config, suppress);
        final int expected;
        if (null == d.pdo.iommu())
        {
            expected = STATUS_NOT_FOUND;
        }
        else if (!d.pdo.iommu().implementsDeviceIdLookup())
        {
            expected = STATUS_UNSUCCESSFUL;
        }
        else if (d.live())
        {
            expected = STATUS_INVALID_PARAMETER;
            outcome(null != d.token ? "CreateDevice refused: a token already" :
                "CreateDevice refused: attached through V1");
        }
        else
        {
            expected = STATUS_SUCCESS;
        }
        final Ref<IommuDmaDevice> out = new Ref<>();
        call("CreateDevice", d.toString(), expected, () -> v2().createDevice(d.pdo, config, out));
        if (expected == STATUS_SUCCESS)
        {
            d.token = out.get();
            d.suppress = suppress;
            d.attached = null;
            assertSame(d.token, rig.emulator.dmaDeviceOf(d.pdo));
        }
    }

    /** A token member on a random device object: create, attach, detach, delete, or a dead or V1 handle. */
    private void deviceToken()
    {
        final Dev d = randomDev();
        final int shape = random.nextInt(10);
        if (null == d.token)
        {
            if (shape < 2 && !d.stale.isEmpty())
            {
                deadHandle(d, any(random, d.stale), "deleted token");
            }
            else if (shape < 3 && null != d.v1Handle)
            {
                deadHandle(d, d.v1Handle, "V1 record");
            }
            else
            {
                createDevice(d);
            }
            return;
        }
        if (shape == 0)
        {
            createDevice(d);
        }
        else if (shape < 4)
        {
            final Model m = attachTarget();
            final IommuDmaDomain domain = null == m ? staleDomain() : m.domain;
            final int expected;
            if (null == m || null != d.attached)
            {
                expected = STATUS_INVALID_PARAMETER;
            }
            else if (m.kind == Kind.S1 || (available(d) & m.type().mask()) == 0)
            {
                expected = STATUS_ACCESS_DENIED;
            }
            else
            {
                expected = STATUS_SUCCESS;
            }
            call("AttachDeviceEx", d + " to " + (null == m ? "a deleted domain" : m.toString()), expected,
                () -> v2().attachDeviceEx(domain, d.token));
            if (expected == STATUS_SUCCESS)
            {
                d.attached = m;
            }
        }
        else if (shape < 6 && !d.permanent)
        {
            final int expected = null == d.attached ? STATUS_INVALID_PARAMETER_1 : STATUS_SUCCESS;
            call("DetachDeviceEx", d.toString(), expected, () -> v2().detachDeviceEx(d.token));
            d.attached = null;
        }
        else
        {
            int alive = 0;
            for (final Sub s : subs)
            {
                alive += s.parent == d ? 1 : 0;
            }
            final int expected = null != d.attached || alive != 0 ? STATUS_RESOURCE_IN_USE : STATUS_SUCCESS;
            call("DeleteDevice", d + " attached to " + d.attached + ", " + alive + " sub-devices", expected,
                () -> v2().deleteDevice(d.token));
            if (null == d.attached && alive != 0)
            {
                outcome("DeleteDevice refused for PASID sub-devices only");
            }
            if (expected == STATUS_SUCCESS)
            {
                d.stale.add(d.token);
                d.token = null;
                assertNull(rig.emulator.dmaDeviceOf(d.pdo), lastOp);
            }
        }
    }

    /** A deleted token, or a V1 record (not a token), passed to the token members: STATUS_INVALID_PARAMETER. */
    private void deadHandle(final Dev d, final IommuDmaDevice handle, final String what)
    {
        switch (random.nextInt(4))
        {
            case 0:
                call("DeleteDevice", d + " " + what, STATUS_INVALID_PARAMETER, () -> v2().deleteDevice(handle));
                break;
            case 1:
                call("DetachDeviceEx", d + " " + what, STATUS_INVALID_PARAMETER, () -> v2().detachDeviceEx(handle));
                break;
            case 2:
                final IommuDmaDomain domain = randomModel().domain;
                call("AttachDeviceEx", d + " " + what, STATUS_INVALID_PARAMETER,
                    () -> v2().attachDeviceEx(domain, handle));
                break;
            default:
                call("CreatePasidDevice", d + " " + what, STATUS_INVALID_PARAMETER,
                    () -> rig.v3.createPasidDevice(handle, new Ref<>(), new IntRef()));
                break;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // V3: PASID sub-devices and QueryDeviceInfo
    // ------------------------------------------------------------------------------------------------------------

    private void createPasid()
    {
        final Dev d = random.nextInt(10) < 7 ? devs.get(random.nextBoolean() ? "accelT" :
            random.nextBoolean() ? "accel0" : "accel1") : randomDev();
        final IommuDmaDevice handle = random.nextInt(10) != 0 || d.stale.isEmpty() ? d.handle() : any(random, d.stale);
        final int shape = random.nextInt(20);
        final Ref<IommuDmaPasidDevice> out = shape == 0 ? null : new Ref<>();
        final IntRef asid = shape == 1 ? null : new IntRef();
        final int lowest = pasids.nextClearBit(1);
        final int expected;
        if (null == handle || handle != d.token)
        {
            expected = STATUS_INVALID_PARAMETER;
        }
        else if (d.config != IommuPasidConfigurationType.PASID_TAGGED_DMA)
        {
            expected = STATUS_INVALID_PARAMETER_1;
        }
        else if (null == out)
        {
            expected = STATUS_INVALID_PARAMETER_2;
        }
        else if (null == asid)
        {
            expected = STATUS_INVALID_PARAMETER_3;
        }
        else if (subs.size() >= MAX_PASID_DEVICES)
        {
            expected = STATUS_INSUFFICIENT_RESOURCES;
        }
        else if (lowest >= 1 << d.pdo.iommu().pasidWidth())
        {
            expected = STATUS_NONE_MAPPED;
        }
        else
        {
            expected = STATUS_SUCCESS;
        }
        call("CreatePasidDevice", d + (handle != d.handle() ? " (deleted token)" : "") + ", PASIDs in use " + pasids,
            expected, () -> rig.v3.createPasidDevice(handle, out, asid));
        if (expected == STATUS_SUCCESS)
        {
            assertEquals(lowest, asid.get(), lastOp + ": the lowest free PASID of the emulator-wide space");
            assertNotNull(out.get());
            pasids.set(lowest);
            subs.add(new Sub(out.get(), d, lowest));
        }
    }

    private void deletePasid()
    {
        if (subs.isEmpty() || (!staleSubs.isEmpty() && random.nextInt(8) == 0))
        {
            final IommuDmaPasidDevice stale = staleSubs.isEmpty() || random.nextInt(10) == 0 ? null :
                any(random, staleSubs);
            call("DeletePasidDevice", "deleted or null", STATUS_INVALID_PARAMETER,
                () -> rig.v3.deletePasidDevice(stale));
            return;
        }
        final Sub s = any(random, subs);
        final int expected = null != s.attached ? STATUS_RESOURCE_IN_USE : STATUS_SUCCESS;
        call("DeletePasidDevice", s + " attached to " + s.attached, expected,
            () -> rig.v3.deletePasidDevice(s.handle));
        if (expected == STATUS_SUCCESS)
        {
            subs.remove(s);
            pasids.clear(s.pasid);
            staleSubs.add(s.handle);
            if (staleSubs.size() > 8)
            {
                staleSubs.remove(0);
            }
        }
    }

    private void attachPasid()
    {
        final Sub s = subs.isEmpty() || (!staleSubs.isEmpty() && random.nextInt(10) == 0) ? null : any(random, subs);
        if (null == s && staleSubs.isEmpty())
        {
            return;
        }
        final IommuDmaPasidDevice handle = null == s ? any(random, staleSubs) : s.handle;
        final Model m = attachTarget();
        final IommuDmaDomain domain = null == m ? staleDomain() : m.domain;
        final int expected;
        if (null == s || null == m)
        {
            expected = STATUS_INVALID_PARAMETER;
        }
        else if (m.kind == Kind.PASS_THROUGH)
        {
            expected = STATUS_INVALID_PARAMETER_1;
        }
        else if (null != s.attached)
        {
            expected = STATUS_UNSUCCESSFUL;
        }
        else if ((available(s.parent) & m.type().mask()) == 0)
        {
            expected = STATUS_ACCESS_DENIED;
        }
        else
        {
            expected = STATUS_SUCCESS;
        }
        call("AttachPasidDevice", (null == s ? "a deleted sub-device" : s + " attached to " + s.attached) + " to " +
            (null == m ? "a deleted domain" : m.toString()), expected, () -> rig.v3.attachPasidDevice(domain, handle));
        if (expected == STATUS_SUCCESS)
        {
            s.attached = m;
        }
    }

    private void detachPasid()
    {
        final Sub s = subs.isEmpty() || (!staleSubs.isEmpty() && random.nextInt(10) == 0) ? null : any(random, subs);
        if (null == s && staleSubs.isEmpty())
        {
            return;
        }
        final IommuDmaPasidDevice handle = null == s ? any(random, staleSubs) : s.handle;
        final int expected = null == s ? STATUS_INVALID_PARAMETER :
            null == s.attached ? STATUS_INVALID_PARAMETER_1 : STATUS_SUCCESS;
        call("DetachPasidDevice", null == s ? "a deleted sub-device" : s + " attached to " + s.attached, expected,
            () -> rig.v3.detachPasidDevice(handle));
        if (null != s)
        {
            s.attached = null;
        }
    }

    private void queryDeviceInfo()
    {
        final Dev d = randomDev();
        final IommuDmaDevice handle = random.nextInt(8) == 0 && !d.stale.isEmpty() ? any(random, d.stale) :
            d.handle();
        final int size = random.nextInt(10) == 0 ? random.nextInt(0, IommuDmaDeviceInformation.SIZE_X64) :
            random.nextInt(IommuDmaDeviceInformation.SIZE_X64, 9);
        final IntRef written = random.nextInt(15) == 0 ? null : new IntRef().set(77);
        final IommuDmaDeviceInformation buffer = random.nextInt(15) == 0 ? null : new IommuDmaDeviceInformation();
        final int expected;
        if (null == handle || handle != d.token)
        {
            expected = STATUS_INVALID_PARAMETER;
        }
        else if (null == written)
        {
            expected = STATUS_INVALID_PARAMETER_3;
        }
        else if (size < IommuDmaDeviceInformation.SIZE_X64)
        {
            expected = STATUS_BUFFER_TOO_SMALL;
        }
        else if (null == buffer)
        {
            expected = STATUS_INVALID_PARAMETER_4;
        }
        else
        {
            expected = STATUS_SUCCESS;
        }
        call("QueryDeviceInfo", d + " size " + size, expected,
            () -> rig.v3.queryDeviceInfo(handle, size, written, buffer));
        if (expected == STATUS_BUFFER_TOO_SMALL)
        {
            assertEquals(0, written.get(), lastOp + ": BytesWritten 0");
        }
        if (expected == STATUS_SUCCESS)
        {
            assertEquals(IommuDmaDeviceInformation.SIZE_X64, written.get(), lastOp);
            assertEquals(null != d.config, buffer.defaultPasidEnabled(), lastOp);
            assertEquals(d.config == IommuPasidConfigurationType.PASID_TAGGED_DMA, buffer.pasidTaggedDmaEnabled(),
                lastOp);
            assertEquals(null != d.config && d.suppress, buffer.pasidFaultsSuppressed(), lastOp);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Checks
    // ------------------------------------------------------------------------------------------------------------

    /** Every model page translates as the model says, and the tables hold no other mapped page. */
    private void fullCheck(final Model m)
    {
        for (final Map.Entry<Long, long[]> e : m.pages.entrySet())
        {
            final long t = ((MappingDomain)m.domain).table().walk(e.getKey() << 12);
            if (Translation.isFault(t) || Translation.outputAddress(t, e.getKey() << 12) != e.getValue()[0] << 12)
            {
                fail(m + ": page " + e.getKey() + " should map frame " + e.getValue()[0]);
            }
        }
        if (m.allocator)
        {
            long live = 0;
            for (final long[] block : m.blocks.values())
            {
                live += block[0];
            }
            for (final TokenModel token : m.tokens.values())
            {
                live += roundUp(token.pages);
            }
            final IovaAllocator allocator = ((MappingDomain)m.domain).allocator();
            assertEquals(live * PAGE, initialFreeBytes - allocator.freeBytes(),
                "IOVA bytes held = live blocks and tokens, step " + step);
        }
        final long span = m.allocator ? 1L << V2Rig.ALLOCATOR_WIDTH : 1L << 48;
        assertEquals(m.pages.size(), ((MappingDomain)m.domain).table().countMapped(0, span),
            m + ": mapped pages in the tables, step " + step);
    }

    /** The tables, and the emulator's objects and counts, against the model. */
    private void checkpoint()
    {
        lastOp = "checkpoint after " + lastOp;
        for (final Model m : models)
        {
            fullCheck(m);
            final Domain domain = (Domain)m.domain;
            assertEquals(attachedCount(m), domain.attachedDevices(), m + ": attached devices and sub-devices");
            assertEquals(m.tokens.size(), domain.outstandingTokens(), m + ": outstanding tokens");
        }
        int live = 0;
        for (final Dev d : devList)
        {
            live += d.live() ? 1 : 0;
            assertSame(d.handle(), rig.emulator.dmaDeviceOf(d.pdo), d + ": dmaDeviceOf");
        }
        assertEquals(live, rig.emulator.liveDevices(), "live devices");
        assertEquals(subs.size(), rig.emulator.livePasidDevices(), "live PASID sub-devices");
        assertEquals(models.size(), rig.emulator.liveDomains(), "live domains");
        while (rig.emulator.deliverNotifications() > 0)
        {
            Thread.onSpinWait();
        }
    }

    private void assertOutcomes()
    {
        final String[] required = {
            "V1 CreateDomain(TRUE):STATUS_SUCCESS", "V1 CreateDomain(FALSE):STATUS_NOT_SUPPORTED",
            "V1 AttachDevice:STATUS_SUCCESS", "V1 AttachDevice:STATUS_INVALID_PARAMETER",
            "V1 AttachDevice:STATUS_ACCESS_DENIED", "V1 AttachDevice:STATUS_NOT_FOUND",
            "V1 AttachDevice:STATUS_UNSUCCESSFUL", "V1 AttachDevice:STATUS_INVALID_PARAMETER_3",
            "V1 AttachDevice refused: the device object has a token",
            "V1 AttachDevice refused: attached through V1 already",
            "V1 DetachDevice:STATUS_SUCCESS", "V1 DetachDevice:STATUS_INVALID_PARAMETER_2",
            "V1 MapLogicalRange:STATUS_SUCCESS", "V1 MapLogicalRange:STATUS_NOT_SUPPORTED",
            "V1 MapLogicalRange:STATUS_RESOURCE_IN_USE", "V1 MapLogicalRange:STATUS_INVALID_PARAMETER_1",
            "V1 MapIdentityRange:STATUS_SUCCESS", "V1 MapIdentityRange:STATUS_RESOURCE_IN_USE",
            "V1 MapIdentityRange:STATUS_NOT_SUPPORTED", "V1 UnmapIdentityRange:STATUS_SUCCESS",
            "V1 UnmapIdentityRange:STATUS_INVALID_PARAMETER_2", "V1 SetDeviceFaultReporting:STATUS_SUCCESS",
            "V1 SetDeviceFaultReporting:STATUS_INVALID_PARAMETER_1", "CreateDevice refused: attached through V1",
            "CreateDevice:STATUS_SUCCESS", "DeleteDevice:STATUS_SUCCESS", "AttachDeviceEx:STATUS_SUCCESS",
            "CreatePasidDevice:STATUS_SUCCESS", "CreatePasidDevice:STATUS_INVALID_PARAMETER_1",
            "CreatePasidDevice:STATUS_INSUFFICIENT_RESOURCES", "CreatePasidDevice:STATUS_NONE_MAPPED",
            "AttachPasidDevice:STATUS_SUCCESS", "AttachPasidDevice:STATUS_UNSUCCESSFUL",
            "AttachPasidDevice:STATUS_ACCESS_DENIED", "AttachPasidDevice:STATUS_INVALID_PARAMETER_1",
            "DetachPasidDevice:STATUS_SUCCESS", "DetachPasidDevice:STATUS_INVALID_PARAMETER_1",
            "DeletePasidDevice:STATUS_SUCCESS", "DeletePasidDevice:STATUS_RESOURCE_IN_USE",
            "DeletePasidDevice:STATUS_INVALID_PARAMETER", "QueryDeviceInfo:STATUS_SUCCESS",
            "QueryDeviceInfo:STATUS_BUFFER_TOO_SMALL", "DeleteDomain refused for attached PASID sub-devices only",
            "DeleteDevice refused for PASID sub-devices only",
            "view: a PASID-tagged access reached its sub-device's domain", "AttachDeviceEx:STATUS_ACCESS_DENIED",
            "DeleteDevice:STATUS_RESOURCE_IN_USE", "DetachDeviceEx:STATUS_INVALID_PARAMETER_1"};
        final int[] deleted = new int[1];
        outcomes.forEach((final String key, final Integer n) ->
            deleted[0] += key.matches("(V1 )?DeleteDomain:STATUS_SUCCESS") ? n : 0);
        assertTrue(deleted[0] > 0, "domains were deleted: " + outcomes);
        assertTrue(faultsDelivered[0] > 0, "faults reached the handler V1 SetDeviceFaultReporting installed");
        for (final String what : required)
        {
            assertTrue(outcomes.containsKey(what), "never seen: " + what + "; seen " + outcomes);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Teardown
    // ------------------------------------------------------------------------------------------------------------

    private void tearDownAll(final IovaAllocator iova, final long startPages)
    {
        lastOp = "teardown";
        for (final Sub s : subs)
        {
            if (null != s.attached)
            {
                assertEquals(STATUS_SUCCESS, rig.v3.detachPasidDevice(s.handle), s.toString());
            }
            assertEquals(STATUS_SUCCESS, rig.v3.deletePasidDevice(s.handle), s.toString());
            pasids.clear(s.pasid);
        }
        subs.clear();
        assertEquals(0, rig.emulator.livePasidDevices());
        for (final Dev d : devList)
        {
            if (null != d.v1Handle)
            {
                assertEquals(STATUS_SUCCESS, rig.v1.detachDevice(d.attached.domain, d.pdo, 0), d.toString());
                d.v1Handle = null;
                d.attached = null;
                assertNull(rig.emulator.dmaDeviceOf(d.pdo), d + ": the device record is gone");
            }
            else if (null != d.token && !d.permanent)
            {
                if (null != d.attached)
                {
                    assertEquals(STATUS_SUCCESS, rig.iommu.detachDeviceEx(d.token), d.toString());
                    d.attached = null;
                }
                assertEquals(STATUS_SUCCESS, rig.iommu.deleteDevice(d.token), d.toString());
                d.token = null;
            }
        }
        for (final Model m : new ArrayList<>(models))
        {
            if (m == allocatorModel || m == explicitModel)
            {
                continue;
            }
            freeTokens(m);
            // Plain and identity mappings are dropped with the domain (spec 5.3 item 14).
            assertEquals(STATUS_SUCCESS, rig.v1.deleteDomain(m.domain), m.toString());
            models.remove(m);
        }
        assertEquals(2, rig.emulator.liveDomains());
        tearDown(allocatorModel);
        tearDown(explicitModel);
        fullCheck(allocatorModel);
        assertEquals(initialFreeBytes, iova.freeBytes(), "IOVA space all back");
        final long whole = iova.allocate(1L << 26, IovaAllocator.NO_MIN, IovaAllocator.NO_MAX);
        assertTrue(whole > 0, "every block merged back: the top half of the space is free (" + whole + ")");
        iova.free(whole, 1L << 26);
        final Dev nic = devs.get("nic");
        final Dev disk = devs.get("disk");
        assertEquals(STATUS_SUCCESS, rig.iommu.detachDeviceEx(nic.token));
        assertEquals(STATUS_SUCCESS, rig.iommu.detachDeviceEx(disk.token));
        assertEquals(1, ((MappingDomain)explicitModel.domain).table().tablePages(),
            "explicit domain: one unmap over whole spans returns every table but the root");
        assertEquals(STATUS_SUCCESS, rig.iommu.deleteDomain(allocatorModel.domain));
        assertEquals(STATUS_SUCCESS, rig.iommu.deleteDomain(explicitModel.domain));
        assertEquals(STATUS_SUCCESS, rig.iommu.deleteDevice(nic.token));
        assertEquals(STATUS_SUCCESS, rig.iommu.deleteDevice(disk.token));
        // The PASID space is whole again: a new parent's sub-devices get 1, then 2.
        final Ref<IommuDmaDevice> parent = new Ref<>();
        assertEquals(STATUS_SUCCESS, rig.v3.createDevice(rig.platform.device("accel0"),
            new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, false), parent));
        final Ref<IommuDmaPasidDevice> first = new Ref<>();
        final Ref<IommuDmaPasidDevice> second = new Ref<>();
        final IntRef asid = new IntRef();
        assertEquals(STATUS_SUCCESS, rig.v3.createPasidDevice(parent.get(), first, asid));
        assertEquals(1, asid.get(), "PASIDs from 1 again");
        assertEquals(STATUS_SUCCESS, rig.v3.createPasidDevice(parent.get(), second, asid));
        assertEquals(2, asid.get());
        assertEquals(STATUS_SUCCESS, rig.v3.deletePasidDevice(first.get()));
        assertEquals(STATUS_SUCCESS, rig.v3.deletePasidDevice(second.get()));
        assertEquals(STATUS_SUCCESS, rig.v3.deleteDevice(parent.get()));
        assertEquals(0, rig.emulator.liveDevices(), "live devices");
        assertEquals(0, rig.emulator.livePasidDevices(), "live PASID sub-devices");
        assertEquals(0, rig.emulator.liveDomains(), "live domains");
        assertEquals(startPages, rig.emulator.tablePagesInUse(), "table pages back to the start");
    }

    private void freeTokens(final Model m)
    {
        for (final TokenModel token : m.tokens.values())
        {
            for (final IommuDmaLogicalAddressTokenMappedSegment segment : token.segments.values())
            {
                assertEquals(STATUS_SUCCESS, rig.iommu.unmapReservedLogicalRange(segment));
            }
            assertEquals(STATUS_SUCCESS, rig.iommu.freeReservedLogicalAddressRange(token.handle));
        }
        m.tokens.clear();
        m.pages.values().removeIf((final long[] entry) -> entry[2] >= 0);
    }

    private void tearDown(final Model m)
    {
        freeTokens(m);
        if (!m.allocator)
        {
            // One unmap over whole table spans: it returns every table but the root (spec 2.13).
            if (m.pages.isEmpty())
            {
                rig.mapAt(m.domain, WINDOW << 12, 1, 1);
            }
            assertEquals(STATUS_SUCCESS, rig.iommu.unmapLogicalRange(m.domain, 0, 1L << 36));
            m.pages.clear();
        }
        while (!m.pages.isEmpty())
        {
            final long first = m.pages.firstKey();
            long end = first;
            while (m.pages.containsKey(end))
            {
                m.pages.remove(end);
                end++;
            }
            assertEquals(STATUS_SUCCESS, rig.iommu.unmapLogicalRange(m.domain, first << 12, end - first));
        }
        m.blocks.clear();
        assertEquals(0, ((MappingDomain)m.domain).table().countMapped(0, 1L << V2Rig.ALLOCATOR_WIDTH));
    }
}
