/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import dev.iommu.api.DeviceFaultConfiguration;
import dev.iommu.api.DmaIommuInterface;
import dev.iommu.api.DmaIommuInterfaceEx;
import dev.iommu.api.DmaIommuInterfaceV1;
import dev.iommu.api.DmaIommuInterfaceV3;
import dev.iommu.api.IntRef;
import dev.iommu.api.IommuDeviceCreationConfiguration;
import dev.iommu.api.IommuDmaDevice;
import dev.iommu.api.IommuDmaDomain;
import dev.iommu.api.IommuDmaDomainType;
import dev.iommu.api.IommuDmaLogicalAllocatorConfig;
import dev.iommu.api.IommuDmaPasidDevice;
import dev.iommu.api.IommuInterfaceStateChangeCallback;
import dev.iommu.api.IommuInterfaceStateChangeFields;
import dev.iommu.api.IommuMapPhysicalAddress;
import dev.iommu.api.IommuPasidConfigurationType;
import dev.iommu.api.IommuPermissions;
import dev.iommu.api.LongRef;
import dev.iommu.api.Mdl;
import dev.iommu.api.NtStatus;
import dev.iommu.api.NtStatusException;
import dev.iommu.api.Ref;
import dev.iommu.core.platform.Architecture;
import dev.iommu.ptw.PageSizes;
import dev.iommu.core.platform.Platform;
import dev.iommu.core.platform.PlatformFile;
import dev.iommu.core.platform.ResourceLimits;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps docs/embedding.md true. The guide's code excerpts are the tagged regions ({@code // tag::NAME[]} to
 * {@code // end::NAME[]}) of {@link Guide} below, and this test:
 * <ul>
 *     <li>runs them, asserting what the guide says they do ({@link #theGuideRunsAndDoesWhatItSays()});</li>
 *     <li>checks that every {@code ```java} block of the guide is, after trimming common indentation, exactly one
 *     tagged region, and that every tagged region is in the guide
 *     ({@link #everyJavaBlockOfTheGuideIsATaggedRegionAndEveryRegionIsInTheGuide()});</li>
 *     <li>compiles {@link Guide} once more in another package, so that an excerpt using a package-private type or
 *     member of {@code dev.iommu.core} (which this test, in that package, could use without notice) fails the build
 *     ({@link #theGuideCompilesOutsideThePackageWithPublicApiOnly(Path)}).</li>
 * </ul>
 */
class EmbeddingGuideTest
{
    private static final Path GUIDE = Paths.get("..", "docs", "embedding.md");
    private static final Path THIS_SOURCE =
        Paths.get("src", "test", "java", "dev", "iommu", "core", "EmbeddingGuideTest.java");
    private static final Pattern SECTION_BEGIN = Pattern.compile("(?m)^\\s*// guide-source::begin\\s*$");
    private static final Pattern SECTION_END = Pattern.compile("(?m)^\\s*// guide-source::end\\s*$");
    private static final Pattern TAG = Pattern.compile("^\\s*// (tag|end)::([a-z0-9-]+)\\[\\]\\s*$");
    private static final Pattern JAVA_BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```\\s*$");

    @Test
    void theGuideRunsAndDoesWhatItSays() throws NtStatusException
    {
        final Platform platform = Guide.platform();
        assertEquals(Architecture.X64, platform.architecture());
        assertEquals(5, platform.devices().size());
        assertEquals(8, platform.device("accel0").iommu().pasidWidth());
        assertTrue(platform.device("dock0").isExternal());
        assertEquals(null, platform.device("legacy0").iommu());
        assertEquals(3, platform.maxInterfaceVersion());

        final Platform loaded = Guide.platformFromFile();
        assertEquals(platform.devices().size(), loaded.devices().size());
        assertEquals(platform.limits().toString(), loaded.limits().toString());
        assertEquals(platform.iommus().get(0).toString(), loaded.iommus().get(0).toString());
        assertTrue(loaded.policy().isEnabled());

        final Guide.Results r = Guide.run(platform);

        assertEquals(DmaIommuInterfaceEx.SIZE_V3, r.sizeV3);
        assertEquals(3, r.versionV3);
        assertEquals(DmaIommuInterfaceEx.SIZE_V2, r.sizeV2);
        assertEquals(DmaIommuInterfaceEx.SIZE_V1, r.sizeV1);
        assertTrue(r.legacyIsV1);
        assertEquals(NtStatus.STATUS_INVALID_PARAMETER_1, r.versionFourRefused);

        assertNotEquals(0, r.mappedAt);
        assertEquals(0, r.mappedAt & 0xFFF, "page aligned");
        assertEquals(0x5678010L, r.physical);
        assertEquals(IommuPermissions.READ_WRITE, r.permissions);
        assertEquals(4096, r.pageSize);
        assertTrue(r.unmappedIsFault);
        assertEquals(DmaTranslation.FAULT_NOT_PRESENT, r.unmappedReason);

        assertEquals(IommuDmaDomainType.TRANSLATE.mask() | IommuDmaDomainType.PASS_THROUGH.mask() |
            IommuDmaDomainType.TRANSLATE_S1.mask(), r.typesAtRegistration, "called once by Register, at once");
        assertEquals(IommuDmaDomainType.TRANSLATE.mask() | IommuDmaDomainType.TRANSLATE_S1.mask(), r.typesAfterGuard,
            "PassThrough withdrawn while DMA Guard blocks");
        assertEquals(0x7000_0000L, r.faultAddress);

        assertEquals(1, r.pasid, "lowest free PASID");
        assertEquals(0x4000_0000L, r.taggedPhysical);
        assertTrue(r.untaggedIsFault, "accel0 itself is attached to no domain");
        assertEquals(1, r.livePasidDevicesWhileAttached);

        assertEquals(0x9000L, r.v1Physical);

        // Reading the thread's allocation counter itself allocates under 1 KiB; the 60,000 calls add nothing.
        assertEquals(60_000, r.steadyStateOps);
        assertTrue(r.steadyStateBytes <= 4096,
            "steady-state map/translate/unmap allocated " + r.steadyStateBytes + " bytes in " + r.steadyStateOps +
            " calls");

        final List<VerifierReport> reports = Guide.verified(platform);
        assertEquals(1, reports.size(), reports.toString());
        assertEquals(VerifierRule.DMA_TO_UNMAPPED, reports.get(0).rule());
        assertEquals(0x7000_0000L, reports.get(0).address());
        assertEquals("device#1 domain#1", reports.get(0).objects());
        assertEquals(Thread.currentThread().getName(), reports.get(0).threadName());

        assertEquals(0, r.liveDomainsAfter);
        assertEquals(0, r.liveDevicesAfter);
        assertEquals(0, r.livePasidDevicesAfter);
        assertEquals(0, r.tablePagesAfter);
    }

    @Test
    void theGuidesRestartFindsTheDomainAndItsMapping(@TempDir final Path directory) throws NtStatusException
    {
        final Guide.Results r = Guide.persisted(Guide.platform(), directory.resolve("iommu"));
        assertTrue(r.reopened);
        assertTrue(r.cleanShutdown);
        assertTrue(r.foundAgain);
        assertEquals(0, r.repairs);
    }

    @Test
    void aReaderOfThePersistentDirectoryTranslatesAsTheOwner(@TempDir final Path directory) throws NtStatusException
    {
        final Platform platform = Guide.platform();
        try (IommuEmulator emulator = IommuEmulator.launch(new EmulatorContext().platform(platform)
            .dispatcherThread(false).persistentDirectory(directory)))
        {
            final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
            NtStatus.check(emulator.ioGetIommuInterfaceEx(DmaIommuInterfaceEx.VERSION_2, 0, ex));
            final Ref<IommuDmaDevice> device = new Ref<>();
            final Ref<IommuDmaDomain> domain = new Ref<>();
            NtStatus.check(ex.v2().createDevice(platform.device("nic0"), null, device));
            NtStatus.check(ex.v2().createDomainEx(IommuDmaDomainType.TRANSLATE, 0, null, null, domain));
            NtStatus.check(ex.v2().attachDeviceEx(domain.get(), device.get()));
            NtStatus.check(ex.v2().mapLogicalRangeEx(domain.get(), IommuPermissions.READ,
                new IommuMapPhysicalAddress().useContiguousRange(0x5678000L, 4096), new LongRef(0x10_0000L), null,
                null, new LongRef()));
            assertEquals(0x5678010L, Guide.readFromAnotherProcess(directory, platform, 0x10_0010L));
            assertEquals(-1, Guide.readFromAnotherProcess(directory, platform, 0x20_0000L));
        }
    }

    @Test
    void everyJavaBlockOfTheGuideIsATaggedRegionAndEveryRegionIsInTheGuide() throws IOException
    {
        final String source = read(THIS_SOURCE);
        final Map<String, String> regions = regions(source);
        assertTrue(regions.size() >= 10, "found the tagged regions: " + regions.keySet());
        final String section = section(source);
        for (final String name : regions.keySet())
        {
            assertTrue(section.contains("// tag::" + name + "[]"),
                "region '" + name + "' lies in the compile-checked guide section");
        }

        final List<String> blocks = javaBlocks(read(GUIDE));
        final List<String> notRegions = new ArrayList<>();
        final List<String> shown = new ArrayList<>();
        for (final String block : blocks)
        {
            String match = null;
            for (final Map.Entry<String, String> region : regions.entrySet())
            {
                if (region.getValue().equals(block))
                {
                    match = region.getKey();
                }
            }
            if (null == match)
            {
                notRegions.add(block);
            }
            else
            {
                shown.add(match);
            }
        }
        assertEquals(List.of(), notRegions, "java blocks of docs/embedding.md that are no tagged region of " +
            THIS_SOURCE + " (copy the region again, or fix the block)");
        final List<String> missing = new ArrayList<>(regions.keySet());
        missing.removeAll(shown);
        assertEquals(List.of(), missing, "tagged regions that docs/embedding.md does not show");
        assertEquals(regions.size(), blocks.size(), "each region shown once");
    }

    @Test
    void theCheckerTrimsIndentationAndFindsRegions()
    {
        final String text = String.join("\n",
            "class X",
            "{",
            "        // tag::a[]",
            "        int x = 1;",
            "        if (x > 0)",
            "        {",
            "            x++;",
            "        }",
            "        // end::a[]",
            "}");
        final Map<String, String> regions = regions(text);
        assertEquals(Map.of("a", "int x = 1;\nif (x > 0)\n{\n    x++;\n}"), regions);
        assertEquals(List.of("int x = 1;\n    x++;"), javaBlocks("text\n```java\n  int x = 1;\n      x++;\n```\n"));
    }

    @Test
    void theGuideCompilesOutsideThePackageWithPublicApiOnly(@TempDir final Path out) throws Exception
    {
        final String source = read(THIS_SOURCE);
        final StringBuilder unit = new StringBuilder("package dev.iommu.guidecheck;\n\n");
        for (final String line : source.split("\n"))
        {
            if (line.startsWith("import ") && !line.startsWith("import static ") && !line.contains("org.junit"))
            {
                unit.append(line).append('\n');
            }
        }
        unit.append("import dev.iommu.core.*;\n\npublic final class GuideCheck\n{\n")
            .append(section(source)).append("\n}\n");
        final List<String> errors = compile(out, "dev/iommu/guidecheck/GuideCheck.java", unit.toString());
        assertEquals(List.of(), errors, "the guide's code must compile with the public API alone");
    }

    @Test
    void theCompileCheckRefusesPackagePrivateCore(@TempDir final Path out) throws Exception
    {
        final String probe = "package dev.iommu.guidecheck;\nimport dev.iommu.core.*;\n" +
            "final class Probe\n{\n    Object rules = RuleSet.documented();\n}\n";
        final List<String> errors = compile(out, "dev/iommu/guidecheck/Probe.java", probe);
        assertFalse(errors.isEmpty(), "a package-private core type is refused outside dev.iommu.core");
    }

    private static List<String> compile(final Path out, final String name, final String code)
        throws IOException, URISyntaxException
    {
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK's compiler (the build needs a JDK anyway)");
        final StringBuilder classPath = new StringBuilder();
        for (final String type : new String[]{"dev.iommu.api.NtStatus", "dev.iommu.core.IommuEmulator",
            "dev.iommu.ptw.TableArena", "dev.iommu.callbacks.Notifications", "org.agrona.DirectBuffer"})
        {
            final URI location;
            try
            {
                location = Class.forName(type).getProtectionDomain().getCodeSource().getLocation().toURI();
            }
            catch (final ClassNotFoundException ex)
            {
                throw new IllegalStateException(type, ex);
            }
            classPath.append(Paths.get(location)).append(java.io.File.pathSeparatorChar);
        }
        final JavaFileObject file = new SimpleJavaFileObject(
            URI.create("string:///" + name), JavaFileObject.Kind.SOURCE)
        {
            @Override
            public CharSequence getCharContent(final boolean ignoreEncodingErrors)
            {
                return code;
            }
        };
        final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8))
        {
            javac.getTask(null, files, diagnostics,
                List.of("--release", "17", "-proc:none", "-classpath", classPath.toString(), "-d", out.toString()),
                null, List.of(file)).call();
        }
        final List<String> errors = new ArrayList<>();
        for (final Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics())
        {
            if (d.getKind() == Diagnostic.Kind.ERROR)
            {
                errors.add("line " + d.getLineNumber() + ": " + d.getMessage(null));
            }
        }
        return errors;
    }

    private static String read(final Path path) throws IOException
    {
        return Files.readString(path, StandardCharsets.UTF_8).replace("\r\n", "\n");
    }

    /**
     * The text between the section markers: the nested class {@link Guide}.
     */
    private static String section(final String source)
    {
        final Matcher begin = SECTION_BEGIN.matcher(source);
        final Matcher end = SECTION_END.matcher(source);
        assertTrue(begin.find() && end.find() && end.start() > begin.end(), "the guide section markers");
        return source.substring(begin.end() + 1, end.start());
    }

    /**
     * Every tagged region of a source, by name, its lines trimmed of their common indentation.
     */
    static Map<String, String> regions(final String source)
    {
        final Map<String, String> regions = new LinkedHashMap<>();
        String open = null;
        List<String> lines = null;
        for (final String line : source.split("\n", -1))
        {
            final Matcher m = TAG.matcher(line);
            if (m.matches())
            {
                final String name = m.group(2);
                if ("tag".equals(m.group(1)))
                {
                    assertEquals(null, open, "region '" + name + "' opens inside region '" + open + "'");
                    assertFalse(regions.containsKey(name), "region '" + name + "' twice");
                    open = name;
                    lines = new ArrayList<>();
                }
                else
                {
                    assertEquals(open, name, "end of region '" + name + "'");
                    regions.put(name, trimIndent(lines));
                    open = null;
                }
            }
            else if (null != open)
            {
                lines.add(line);
            }
        }
        assertEquals(null, open, "region '" + open + "' is not closed");
        return regions;
    }

    /**
     * The bodies of the {@code ```java} blocks of a Markdown text, trimmed of their common indentation.
     */
    static List<String> javaBlocks(final String markdown)
    {
        final List<String> blocks = new ArrayList<>();
        final Matcher m = JAVA_BLOCK.matcher(markdown);
        while (m.find())
        {
            blocks.add(trimIndent(List.of(m.group(1).split("\n", -1))));
        }
        return blocks;
    }

    private static String trimIndent(final List<String> lines)
    {
        int first = 0;
        int last = lines.size() - 1;
        while (first <= last && lines.get(first).isBlank())
        {
            first++;
        }
        while (last >= first && lines.get(last).isBlank())
        {
            last--;
        }
        int indent = Integer.MAX_VALUE;
        for (int i = first; i <= last; i++)
        {
            final String line = lines.get(i);
            if (!line.isBlank())
            {
                int n = 0;
                while (n < line.length() && line.charAt(n) == ' ')
                {
                    n++;
                }
                indent = Math.min(indent, n);
            }
        }
        final StringBuilder text = new StringBuilder();
        for (int i = first; i <= last; i++)
        {
            final String line = lines.get(i).stripTrailing();
            text.append(line.isEmpty() ? "" : line.substring(indent));
            if (i < last)
            {
                text.append('\n');
            }
        }
        return text.toString();
    }

    // guide-source::begin
    /**
     * The code of docs/embedding.md. Public API only: {@link #theGuideCompilesOutsideThePackageWithPublicApiOnly}
     * compiles this class again in another package.
     */
    static final class Guide
    {
        /**
         * What the guide's code produced, for the test to check.
         */
        static final class Results
        {
            long sizeV1;
            long sizeV2;
            long sizeV3;
            int versionV3;
            boolean legacyIsV1;
            int versionFourRefused;
            long mappedAt;
            long physical;
            int permissions;
            long pageSize;
            boolean unmappedIsFault;
            int unmappedReason;
            int typesAtRegistration;
            int typesAfterGuard;
            long faultAddress;
            int pasid;
            long taggedPhysical;
            boolean untaggedIsFault;
            int livePasidDevicesWhileAttached;
            long v1Physical;
            long steadyStateOps;
            long steadyStateBytes;
            int liveDomainsAfter;
            int liveDevicesAfter;
            int livePasidDevicesAfter;
            long tablePagesAfter;
            boolean reopened;
            boolean cleanShutdown;
            boolean foundAgain;
            long repairs;
        }

        private Guide()
        {
        }

        static Platform platform()
        {
            // tag::platform[]
            final Platform platform = Platform.builder()
                .architecture(Architecture.X64)
                // name, MMIO base, address width, page sizes, PASID width, device-id lookup, PCI segment
                .iommu("vtd0", 0xFED9_0000L, 48, PageSizes.ALLOW_ALL, 8, true, 0)
                // name, segment, bus, device, function, IOMMU (null: none), externally connected
                .pci("nic0", 0, 3, 0, 0, "vtd0", false)
                .pci("accel0", 0, 4, 0, 0, "vtd0", false)
                .pci("dock0", 0, 5, 0, 0, "vtd0", true)
                .pci("legacy0", 0, 6, 0, 0, null, false)
                // name, ACPI _HID, _UID, input-mapping base and count (none on x64), IOMMU, external
                .acpi("uart0", "PNP0501", "0", 0, 0, "vtd0", false)
                .dmaGuard(true)
                // DMA devices, domains, table pages, unmanaged ASIDs, PASID sub-devices
                .limits(new ResourceLimits(64, 64, 4096, 16, 64))
                .maxInterfaceVersion(DmaIommuInterfaceEx.VERSION_3)
                .build();
            // end::platform[]
            return platform;
        }

        static Platform platformFromFile()
        {
            // tag::platform-file[]
            final Platform platform = PlatformFile.parse(String.join("\n",
                "architecture x64",
                "interface-version 3",
                "dma-guard on",
                "limits devices=64 domains=64 table-pages=4096 unmanaged-asids=16 pasid-devices=64",
                "iommu vtd0 base=0xfed90000 width=48 page-sizes=4k,2m,1g pasid=8 device-id-lookup=yes segment=0",
                "pci nic0 0000:03:00.0 iommu=vtd0",
                "pci accel0 0000:04:00.0 iommu=vtd0",
                "pci dock0 0000:05:00.0 iommu=vtd0 external=yes",
                "pci legacy0 0000:06:00.0 iommu=none",
                "acpi uart0 hid=PNP0501 uid=0 iommu=vtd0"));
            // PlatformFile.load(path) reads the same from a file
            // end::platform-file[]
            return platform;
        }

        static Results run(final Platform platform) throws NtStatusException
        {
            final Results r = new Results();
            // tag::launch[]
            final IommuEmulator emulator = IommuEmulator.launch(new EmulatorContext()
                .platform(platform)
                .dispatcherThread(false)                        // callbacks run in deliverNotifications()
                .iotlbInvalidation(IotlbInvalidation.STRICT));  // the default
            // end::launch[]
            try
            {
                // tag::acquire[]
                final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
                NtStatus.check(emulator.ioGetIommuInterfaceEx(DmaIommuInterfaceEx.VERSION_3, 0, ex));
                final DmaIommuInterfaceV3 iommu = ex.v3();  // ex.size() == 0xE8, ex.version() == 3
                // end::acquire[]
                r.sizeV3 = ex.size();
                r.versionV3 = ex.version();

                // tag::acquire-others[]
                final DmaIommuInterfaceEx v2 = new DmaIommuInterfaceEx();
                NtStatus.check(emulator.ioGetIommuInterfaceEx(DmaIommuInterfaceEx.VERSION_2, 0, v2));  // Size 0xC0
                final DmaIommuInterfaceEx v1 = new DmaIommuInterfaceEx();
                NtStatus.check(emulator.ioGetIommuInterfaceEx(DmaIommuInterfaceEx.VERSION_1, 0, v1));  // Size 0x78
                final DmaIommuInterface legacy = new DmaIommuInterface();  // the deprecated IoGetIommuInterface
                NtStatus.check(emulator.ioGetIommuInterface(DmaIommuInterface.VERSION, legacy));
                final int refused = emulator.ioGetIommuInterfaceEx(4, 0, new DmaIommuInterfaceEx());
                // refused == NtStatus.STATUS_INVALID_PARAMETER_1: no version 4 (nor above the platform's newest)
                // end::acquire-others[]
                r.sizeV2 = v2.size();
                r.sizeV1 = v1.size();
                r.legacyIsV1 = legacy.v1() == v1.v1();
                r.versionFourRefused = refused;

                // tag::device-domain[]
                final Ref<IommuDmaDevice> deviceOut = new Ref<>();
                NtStatus.check(iommu.createDevice(platform.device("nic0"), null, deviceOut));
                final IommuDmaDevice device = deviceOut.get();
                final Ref<IommuDmaDomain> domainOut = new Ref<>();
                NtStatus.check(iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
                    new IommuDmaLogicalAllocatorConfig().buddy(39), null, domainOut));  // 39-bit buddy allocator
                final IommuDmaDomain domain = domainOut.get();
                NtStatus.check(iommu.attachDeviceEx(domain, device));
                // end::device-domain[]

                // tag::map[]
                final IommuMapPhysicalAddress buffer = new IommuMapPhysicalAddress()
                    .usePfnArray(new long[]{0x1234, 0x5678}, 2);  // two scattered 4 KiB frames
                final LongRef mappedAt = new LongRef();            // reusable out-parameter
                NtStatus.check(iommu.mapLogicalRangeEx(domain, IommuPermissions.READ_WRITE, buffer,
                    null, null, null, mappedAt));                  // the allocator picks the address
                // end::map[]
                r.mappedAt = mappedAt.get();

                // tag::translate[]
                final long address = mappedAt.get() + 4096 + 0x10;  // second page, offset 0x10
                final long translation = emulator.translate(device, address, IommuPermissions.WRITE);
                if (DmaTranslation.isFault(translation))
                {
                    throw new IllegalStateException("DMA fault, reason " + DmaTranslation.faultReason(translation));
                }
                final long physical = DmaTranslation.outputAddress(translation, address);  // 0x5678010
                final int permissions = DmaTranslation.permissions(translation);          // READ_WRITE
                final long pageSize = DmaTranslation.pageSize(translation);               // 4096
                // end::translate[]
                r.physical = physical;
                r.permissions = permissions;
                r.pageSize = pageSize;

                // tag::unmap[]
                NtStatus.check(iommu.unmapLogicalRange(domain, mappedAt.get(), 2));
                final long gone = emulator.translate(device, mappedAt.get(), IommuPermissions.READ);
                // DmaTranslation.isFault(gone) and faultReason(gone) == DmaTranslation.FAULT_NOT_PRESENT
                // end::unmap[]
                r.unmappedIsFault = DmaTranslation.isFault(gone);
                r.unmappedReason = DmaTranslation.faultReason(gone);

                steadyState(emulator, iommu, domain, device);  // warm up: first-use thread caches
                final long allocatedBefore = allocatedBytes();
                r.steadyStateOps = 3L * steadyState(emulator, iommu, domain, device);
                r.steadyStateBytes = allocatedBytes() - allocatedBefore;

                // tag::state-change[]
                final AtomicInteger availableTypes = new AtomicInteger();
                final IommuInterfaceStateChangeCallback onChange =
                    (change, context) -> availableTypes.set(change.availableDomainTypes());
                NtStatus.check(iommu.registerInterfaceStateChangeCallback(onChange, null, device,
                    new IommuInterfaceStateChangeFields().availableDomainTypes(true)));
                // onChange has run once already, on this thread: Translate, PassThrough and TranslateS1
                // end::state-change[]
                r.typesAtRegistration = availableTypes.get();

                // tag::deliver[]
                platform.policy().blockingActive(true);  // DMA Guard blocking: PassThrough is withdrawn
                while (emulator.deliverNotifications() > 0)
                {
                    // onChange ran on this thread: Translate and TranslateS1 now
                }
                // end::deliver[]
                r.typesAfterGuard = availableTypes.get();

                // tag::faults[]
                final AtomicLong faultAddress = new AtomicLong(-1);
                final DeviceFaultConfiguration reporting = new DeviceFaultConfiguration()
                    .faultHandler((context, fault) -> faultAddress.set(fault.x64().faultAddress()));
                NtStatus.check(emulator.setDeviceFaultReporting(device, true, reporting));
                emulator.translate(device, 0x7000_0000L, IommuPermissions.READ);  // nothing there: a fault
                while (emulator.deliverNotifications() > 0)
                {
                    // the handler ran on this thread: faultAddress is 0x70000000
                }
                // end::faults[]
                r.faultAddress = faultAddress.get();

                // tag::pasid[]
                final Ref<IommuDmaDevice> accelOut = new Ref<>();
                NtStatus.check(iommu.createDevice(platform.device("accel0"),
                    new IommuDeviceCreationConfiguration().pasid(IommuPasidConfigurationType.PASID_TAGGED_DMA, false),
                    accelOut));
                final IommuDmaDevice accel = accelOut.get();
                final Ref<IommuDmaPasidDevice> subOut = new Ref<>();
                final IntRef pasid = new IntRef();
                NtStatus.check(iommu.createPasidDevice(accel, subOut, pasid));  // pasid.get() == 1: lowest free
                final Ref<IommuDmaDomain> processDomain = new Ref<>();
                NtStatus.check(iommu.createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
                    new IommuDmaLogicalAllocatorConfig().buddy(39), null, processDomain));
                NtStatus.check(iommu.attachPasidDevice(processDomain.get(), subOut.get()));
                final LongRef at = new LongRef();
                NtStatus.check(iommu.mapLogicalRangeEx(processDomain.get(), IommuPermissions.READ,
                    new IommuMapPhysicalAddress().useContiguousRange(0x4000_0000L, 4096), null, null, null, at));
                final long tagged = emulator.translate(accel, pasid.get(), at.get(), IommuPermissions.READ);
                final long untagged = emulator.translate(accel, at.get(), IommuPermissions.READ);  // no PASID
                // tagged reaches 0x40000000; untagged DMA (and PASID 0) walks accel0's own domain: none, a fault
                // end::pasid[]
                r.pasid = pasid.get();
                r.taggedPhysical = DmaTranslation.outputAddress(tagged, at.get());
                r.untaggedIsFault = DmaTranslation.isFault(untagged);
                r.livePasidDevicesWhileAttached = emulator.livePasidDevices();

                // tag::v1[]
                final DmaIommuInterfaceV1 old = legacy.v1();
                final Ref<IommuDmaDomain> oldDomain = new Ref<>();
                NtStatus.check(old.createDomain(true, oldDomain));  // library-owned tables, no allocator
                NtStatus.check(old.attachDevice(oldDomain.get(), platform.device("dock0"), 0, 1));
                NtStatus.check(old.mapLogicalRange(oldDomain.get(), IommuPermissions.READ,
                    new Mdl().describe(new long[]{0x9}, 4096), 0x10_0000L));  // frame 9 at 1 MiB
                final IommuDmaDevice dock = emulator.dmaDeviceOf(platform.device("dock0"));
                final long v1Translation = emulator.translate(dock, 0x10_0000L, IommuPermissions.READ);  // 0x9000
                NtStatus.check(old.unmapLogicalRange(oldDomain.get(), 0x10_0000L, 1));
                NtStatus.check(old.detachDevice(oldDomain.get(), platform.device("dock0"), 0));
                NtStatus.check(old.deleteDomain(oldDomain.get()));
                // end::v1[]
                r.v1Physical = DmaTranslation.outputAddress(v1Translation, 0x10_0000L);

                // tag::teardown[]
                NtStatus.check(iommu.unmapLogicalRange(processDomain.get(), at.get(), 1));
                NtStatus.check(iommu.detachPasidDevice(subOut.get()));
                NtStatus.check(iommu.deletePasidDevice(subOut.get()));
                NtStatus.check(iommu.deleteDomain(processDomain.get()));
                NtStatus.check(iommu.deleteDevice(accel));
                NtStatus.check(emulator.setDeviceFaultReporting(device, false, null));
                NtStatus.check(iommu.unregisterInterfaceStateChangeCallback(onChange, device));
                NtStatus.check(iommu.detachDeviceEx(device));
                NtStatus.check(iommu.deleteDomain(domain));
                NtStatus.check(iommu.deleteDevice(device));
                // emulator.liveDomains(), liveDevices(), livePasidDevices() and tablePagesInUse() are 0 again
                // end::teardown[]
                r.liveDomainsAfter = emulator.liveDomains();
                r.liveDevicesAfter = emulator.liveDevices();
                r.livePasidDevicesAfter = emulator.livePasidDevices();
                r.tablePagesAfter = emulator.tablePagesInUse();
            }
            finally
            {
                // tag::close[]
                emulator.close();  // no callback runs once this returns; the table memory is released
                // end::close[]
            }
            return r;
        }

        /**
         * The guide's profile-and-verifier section: a driver with one bug, run on the observed-Windows profile with
         * the verifier on.
         *
         * @return the reports, in order.
         */
        static List<VerifierReport> verified(final Platform platform) throws NtStatusException
        {
            // tag::verifier[]
            final List<VerifierReport> reports = new CopyOnWriteArrayList<>();
            try (IommuEmulator checked = IommuEmulator.launch(new EmulatorContext()
                .platform(platform)
                .profile(BehaviourProfile.OBSERVED_WINDOWS)  // answer as the shipped x64 kernel does
                .verifier(true)                              // counted in the counters file too
                .verifierListener(reports::add)))            // or .verifierFatal(true): throw at the first one
            {
                final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
                NtStatus.check(checked.ioGetIommuInterfaceEx(DmaIommuInterfaceEx.VERSION_2, 0, ex));
                final Ref<IommuDmaDevice> device = new Ref<>();
                NtStatus.check(ex.v2().createDevice(platform.device("nic0"), null, device));
                final Ref<IommuDmaDomain> domain = new Ref<>();
                NtStatus.check(ex.v2().createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
                    new IommuDmaLogicalAllocatorConfig().buddy(39), null, domain));
                NtStatus.check(ex.v2().attachDeviceEx(domain.get(), device.get()));
                checked.translate(device.get(), 0x7000_0000L, IommuPermissions.READ);  // the bug: never mapped
                NtStatus.check(ex.v2().detachDeviceEx(device.get()));
                NtStatus.check(ex.v2().deleteDomain(domain.get()));
                NtStatus.check(ex.v2().deleteDevice(device.get()));
            }
            // reports: one DMA_TO_UNMAPPED in DeviceDma [device#1 domain#1] at 0x70000000, on this thread;
            // nothing leaked at close, and no call relied on an answer only one profile gives
            // end::verifier[]
            return reports;
        }

        /**
         * The guide's section on surviving a restart: a domain and a mapping made, the emulator closed, launched
         * again on the same directory, the domain found by its stable id and unmapped.
         */
        static Results persisted(final Platform platform, final Path directory) throws NtStatusException
        {
            final Results r = new Results();
            final long mappedAt;
            // tag::persistent-launch[]
            final long domainId;
            try (IommuEmulator emulator = IommuEmulator.launch(new EmulatorContext()
                .platform(platform)                  // the same machine at every launch
                .persistentDirectory(directory)))    // made when missing
            {
                final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
                NtStatus.check(emulator.ioGetIommuInterfaceEx(DmaIommuInterfaceEx.VERSION_2, 0, ex));
                final Ref<IommuDmaDomain> domain = new Ref<>();
                NtStatus.check(ex.v2().createDomainEx(IommuDmaDomainType.TRANSLATE, 0,
                    new IommuDmaLogicalAllocatorConfig().buddy(39), null, domain));
                final LongRef at = new LongRef();
                NtStatus.check(ex.v2().mapLogicalRangeEx(domain.get(), IommuPermissions.READ,
                    new IommuMapPhysicalAddress().useContiguousRange(0x5678000L, 4096), null, null, null, at));
                domainId = emulator.stableId(domain.get());  // keep it with your VM's state
                mappedAt = at.get();
            }   // or the process is killed here: the same comes back
            // end::persistent-launch[]
            // tag::persistent-reopen[]
            try (IommuEmulator emulator = IommuEmulator.launch(new EmulatorContext()
                .platform(platform)
                .persistentDirectory(directory)))
            {
                final RecoveryReport report = emulator.recoveryReport();  // what came back, what was repaired
                final IommuDmaDomain domain = emulator.domainById(domainId);
                final DmaIommuInterfaceEx ex = new DmaIommuInterfaceEx();
                NtStatus.check(emulator.ioGetIommuInterfaceEx(DmaIommuInterfaceEx.VERSION_2, 0, ex));
                NtStatus.check(ex.v2().unmapLogicalRange(domain, mappedAt, 1));  // the mapping is there
                NtStatus.check(ex.v2().deleteDomain(domain));
                // end::persistent-reopen[]
                r.reopened = report.reopened();
                r.cleanShutdown = report.cleanShutdown();
                r.foundAgain = null != domain;
                r.repairs = report.repairs();
            }
            return r;
        }

        static int steadyState(final IommuEmulator emulator, final DmaIommuInterfaceV3 iommu,
            final IommuDmaDomain domain, final IommuDmaDevice device) throws NtStatusException
        {
            // tag::steady-state[]
            final IommuMapPhysicalAddress page = new IommuMapPhysicalAddress();  // made once, reused
            final LongRef pageAt = new LongRef();
            for (long frame = 0x10_0000; frame < 0x10_0000 + 20_000; frame++)
            {
                page.useContiguousRange(frame << 12, 4096);
                NtStatus.check(iommu.mapLogicalRangeEx(domain, IommuPermissions.READ, page, null, null, null, pageAt));
                final long dma = emulator.translate(device, pageAt.get(), IommuPermissions.READ);
                if (DmaTranslation.outputAddress(dma, pageAt.get()) != frame << 12)
                {
                    throw new IllegalStateException("DMA went astray");
                }
                NtStatus.check(iommu.unmapLogicalRange(domain, pageAt.get(), 1));
            }
            // end::steady-state[]
            return 20_000;
        }

        /**
         * What a device model in another process reads (here: the same JVM, a second mapping of the files).
         */
        static long readFromAnotherProcess(final Path directory, final Platform platform, final long address)
        {
            // tag::directory-reader[]
            try (DirectoryReader reader = DirectoryReader.open(directory, platform))  // the owner's directory
            {
                final long translation = reader.translate(platform.device("nic0"), address, IommuPermissions.READ);
                return DmaTranslation.isFault(translation) ? -1 : DmaTranslation.outputAddress(translation, address);
            }
            // end::directory-reader[]
        }

        private static long allocatedBytes()
        {
            return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
        }
    }
    // guide-source::end
}
