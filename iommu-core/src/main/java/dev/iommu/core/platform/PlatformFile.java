/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core.platform;

import dev.iommu.ptw.PageSizes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Loads a {@link Platform} from a small text file, one declaration a line, {@code #} starting a comment:
 * <pre>
 * architecture arm64                        # x64 (default) or arm64
 * interface-version 3                       # newest DMA_IOMMU_INTERFACE_EX version offered (default 3)
 * dma-guard on                              # on or off (default)
 * limits devices=64 domains=64 table-pages=4096 unmanaged-asids=16 pasid-devices=64
 * iommu smmu0 base=0x2b400000 width=48 page-sizes=4k,2m,1g pasid=20 device-id-lookup=yes segment=0
 * pci nic0 0000:01:00.0 iommu=smmu0 external=no
 * acpi uart0 hid=ARMH0011 uid=0 input-mappings=0x100+2 iommu=smmu0
 * pci legacy 0000:02:00.0 iommu=none        # behind no IOMMU: direct physical access
 * </pre>
 * Devices must say {@code iommu=NAME} or {@code iommu=none}, and ACPI devices their {@code hid}; every other key
 * is optional and takes the defaults of {@link Platform.Builder}. Declare IOMMUs before the devices behind them,
 * and the architecture before ACPI devices. Every error names its line.
 */
public final class PlatformFile
{
    private PlatformFile()
    {
    }

    /**
     * Loads a platform file.
     *
     * @param file the file.
     * @return the platform.
     * @throws IOException              when the file cannot be read.
     * @throws IllegalArgumentException when a line is wrong; the message names the file and line.
     */
    public static Platform load(final Path file) throws IOException
    {
        try
        {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the text of a platform file.
     *
     * @param text the declarations.
     * @return the platform.
     * @throws IllegalArgumentException when a line is wrong; the message names the line.
     */
    public static Platform parse(final String text)
    {
        final Platform.Builder builder = Platform.builder();
        final String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final int hash = lines[i].indexOf('#');
            final String line = (hash >= 0 ? lines[i].substring(0, hash) : lines[i]).trim();
            if (line.isEmpty())
            {
                continue;
            }
            try
            {
                declare(builder, line.split("\\s+"));
            }
            catch (final IllegalArgumentException | IllegalStateException e)
            {
                throw new IllegalArgumentException("line " + (i + 1) + " '" + line + "': " + e.getMessage(), e);
            }
        }
        return builder.build();
    }

    private static void declare(final Platform.Builder builder, final String[] words)
    {
        switch (words[0])
        {
            case "architecture":
                builder.architecture(architecture(single(words)));
                break;
            case "interface-version":
                builder.maxInterfaceVersion((int)number(single(words)));
                break;
            case "dma-guard":
                builder.dmaGuard(yes(single(words)));
                break;
            case "limits":
                limits(builder, keys(words, 1));
                break;
            case "iommu":
                iommu(builder, words);
                break;
            case "pci":
                pci(builder, words);
                break;
            case "acpi":
                acpi(builder, words);
                break;
            default:
                throw new IllegalArgumentException("unknown declaration '" + words[0] +
                    "' (architecture, interface-version, dma-guard, limits, iommu, pci, acpi)");
        }
    }

    private static void limits(final Platform.Builder builder, final Keys keys)
    {
        final ResourceLimits d = ResourceLimits.DEFAULTS;
        builder.limits(new ResourceLimits(
            (int)keys.number("devices", d.maxDmaDevices()),
            (int)keys.number("domains", d.maxDomains()),
            (int)keys.number("table-pages", d.maxTablePages()),
            (int)keys.number("unmanaged-asids", d.maxUnmanagedAsids()),
            (int)keys.number("pasid-devices", d.maxPasidDevices())));
        keys.requireAllUsed();
    }

    private static void iommu(final Platform.Builder builder, final String[] words)
    {
        final Keys keys = keys(words, 2);
        builder.iommu(
            name(words),
            keys.number("base", 0),
            (int)keys.number("width", 48),
            keys.has("page-sizes") ? PageSizes.parse(keys.text("page-sizes")) : PageSizes.ALLOW_ALL,
            (int)keys.number("pasid", 20),
            !keys.has("device-id-lookup") || yes(keys.text("device-id-lookup")),
            (int)keys.number("segment", 0));
        keys.requireAllUsed();
    }

    private static void pci(final Platform.Builder builder, final String[] words)
    {
        if (words.length < 3)
        {
            throw new IllegalArgumentException("expected: pci NAME SEGMENT:BUS:DEVICE.FUNCTION [key=value...]");
        }
        final String[] address = words[2].split("[:.]");
        if (address.length != 4)
        {
            throw new IllegalArgumentException("PCI address '" + words[2] + "' is not SEGMENT:BUS:DEVICE.FUNCTION");
        }
        final Keys keys = keys(words, 3);
        builder.pci(name(words), hex(address[0]), hex(address[1]), hex(address[2]), hex(address[3]),
            iommuName(keys), keys.has("external") && yes(keys.text("external")));
        keys.requireAllUsed();
    }

    private static void acpi(final Platform.Builder builder, final String[] words)
    {
        final Keys keys = keys(words, 2);
        int base = 0;
        int count = 0;
        if (keys.has("input-mappings"))
        {
            final String[] range = keys.text("input-mappings").split("\\+");
            if (range.length != 2)
            {
                throw new IllegalArgumentException("input-mappings must be BASE+COUNT");
            }
            base = (int)number(range[0]);
            count = (int)number(range[1]);
        }
        builder.acpi(name(words), keys.text("hid"), keys.has("uid") ? keys.text("uid") : "0", base, count,
            iommuName(keys), keys.has("external") && yes(keys.text("external")));
        keys.requireAllUsed();
    }

    private static String iommuName(final Keys keys)
    {
        final String iommu = keys.text("iommu");
        return "none".equals(iommu) ? null : iommu;
    }

    private static String name(final String[] words)
    {
        if (words.length < 2)
        {
            throw new IllegalArgumentException("expected a name after '" + words[0] + "'");
        }
        return words[1];
    }

    private static String single(final String[] words)
    {
        if (words.length != 2)
        {
            throw new IllegalArgumentException("expected exactly one value after '" + words[0] + "'");
        }
        return words[1];
    }

    private static Architecture architecture(final String word)
    {
        switch (word.toLowerCase(Locale.ROOT))
        {
            case "x64":
                return Architecture.X64;
            case "arm64":
                return Architecture.ARM64;
            default:
                throw new IllegalArgumentException("unknown architecture '" + word + "' (x64 or arm64)");
        }
    }

    private static boolean yes(final String word)
    {
        switch (word.toLowerCase(Locale.ROOT))
        {
            case "yes":
            case "on":
            case "true":
                return true;
            case "no":
            case "off":
            case "false":
                return false;
            default:
                throw new IllegalArgumentException("'" + word + "' is not yes/no, on/off or true/false");
        }
    }

    private static long number(final String word)
    {
        try
        {
            return word.startsWith("0x") || word.startsWith("0X") ?
                Long.parseUnsignedLong(word.substring(2), 16) : Long.parseLong(word);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("'" + word + "' is not a number", e);
        }
    }

    private static int hex(final String word)
    {
        try
        {
            return Integer.parseInt(word, 16);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("'" + word + "' is not a hexadecimal number", e);
        }
    }

    private static Keys keys(final String[] words, final int from)
    {
        final Keys keys = new Keys();
        for (int i = from; i < words.length; i++)
        {
            final int eq = words[i].indexOf('=');
            if (eq <= 0 || eq == words[i].length() - 1)
            {
                throw new IllegalArgumentException("'" + words[i] + "' is not key=value");
            }
            if (null != keys.values.put(words[i].substring(0, eq), words[i].substring(eq + 1)))
            {
                throw new IllegalArgumentException("key '" + words[i].substring(0, eq) + "' given twice");
            }
        }
        return keys;
    }

    private static final class Keys
    {
        private final Map<String, String> values = new HashMap<>();

        boolean has(final String key)
        {
            return values.containsKey(key);
        }

        String text(final String key)
        {
            final String value = values.remove(key);
            if (null == value)
            {
                throw new IllegalArgumentException("missing key '" + key + "'");
            }
            return value;
        }

        long number(final String key, final long fallback)
        {
            return has(key) ? PlatformFile.number(text(key)) : fallback;
        }

        void requireAllUsed()
        {
            if (!values.isEmpty())
            {
                throw new IllegalArgumentException("unknown keys " + values.keySet());
            }
        }
    }
}
