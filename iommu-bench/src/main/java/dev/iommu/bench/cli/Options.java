/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The options of one command: {@code --name value}, {@code --name=value}, or a bare {@code --flag}. Each
 * command declares the options it takes; anything else is a {@link UsageException}. Values are read with typed
 * getters that check their range, so that every bad value is reported before anything runs.
 */
public final class Options
{
    private final String command;
    private final Map<String, String> values;

    private Options(final String command, final Map<String, String> values)
    {
        this.command = command;
        this.values = values;
    }

    /**
     * Parses the arguments after the command name.
     *
     * @param command the command, for messages.
     * @param args    the arguments.
     * @param flags   the options that take no value.
     * @param valued  the options that take a value.
     * @return the options.
     * @throws UsageException for an unknown option, a flag given a value, a missing value, or a repeat.
     */
    public static Options parse(
        final String command, final List<String> args, final Set<String> flags, final Set<String> valued)
    {
        final Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++)
        {
            final String arg = args.get(i);
            if (!arg.startsWith("--") || arg.length() == 2)
            {
                throw new UsageException(command + ": unexpected argument '" + arg + "'");
            }
            final int eq = arg.indexOf('=');
            final String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            String value;
            if (flags.contains(name))
            {
                if (eq >= 0)
                {
                    throw new UsageException(command + ": --" + name + " takes no value");
                }
                value = "true";
            }
            else if (valued.contains(name))
            {
                if (eq >= 0)
                {
                    value = arg.substring(eq + 1);
                }
                else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--"))
                {
                    value = args.get(++i);
                }
                else
                {
                    throw new UsageException(command + ": --" + name + " needs a value");
                }
                if (value.isEmpty())
                {
                    throw new UsageException(command + ": --" + name + " needs a value");
                }
            }
            else
            {
                throw new UsageException(command + ": unknown option '--" + name + "'");
            }
            if (null != values.put(name, value))
            {
                throw new UsageException(command + ": --" + name + " given twice");
            }
        }
        return new Options(command, values);
    }

    /**
     * Whether a flag (or a valued option) was given.
     *
     * @param name the option name without dashes.
     * @return true when given.
     */
    public boolean has(final String name)
    {
        return values.containsKey(name);
    }

    /**
     * A text value.
     *
     * @param name     the option name.
     * @param fallback the value when not given.
     * @return the value.
     */
    public String text(final String name, final String fallback)
    {
        return values.getOrDefault(name, fallback);
    }

    /**
     * A whole number in a range.
     *
     * @param name     the option name.
     * @param fallback the value when not given.
     * @param min      the smallest allowed.
     * @param max      the largest allowed.
     * @return the value.
     * @throws UsageException when it is not a number or out of range.
     */
    public long number(final String name, final long fallback, final long min, final long max)
    {
        if (!values.containsKey(name))
        {
            return fallback;
        }
        final String raw = values.get(name).replace("_", "");
        final long value;
        try
        {
            value = Long.parseLong(raw);
        }
        catch (final NumberFormatException e)
        {
            throw new UsageException(command + ": --" + name + " must be a whole number, not '" + raw + "'");
        }
        if (value < min || value > max)
        {
            throw new UsageException(command + ": --" + name + " must be from " + min + " to " + max + ", not " +
                value);
        }
        return value;
    }

    /**
     * A duration such as {@code 500ms}, {@code 20s} or {@code 2m}, in nanoseconds.
     *
     * @param name       the option name.
     * @param fallbackNs the value when not given.
     * @param minNs      the shortest allowed.
     * @param maxNs      the longest allowed.
     * @return the duration in nanoseconds.
     * @throws UsageException when malformed or out of range.
     */
    public long duration(final String name, final long fallbackNs, final long minNs, final long maxNs)
    {
        if (!values.containsKey(name))
        {
            return fallbackNs;
        }
        final String raw = values.get(name).toLowerCase(Locale.ROOT);
        final long unit;
        final String digits;
        if (raw.endsWith("ms"))
        {
            unit = 1_000_000L;
            digits = raw.substring(0, raw.length() - 2);
        }
        else if (raw.endsWith("s"))
        {
            unit = 1_000_000_000L;
            digits = raw.substring(0, raw.length() - 1);
        }
        else if (raw.endsWith("m"))
        {
            unit = 60_000_000_000L;
            digits = raw.substring(0, raw.length() - 1);
        }
        else
        {
            throw new UsageException(command + ": --" + name + " needs a unit (ms, s or m), as in 20s");
        }
        final long ns;
        try
        {
            ns = Math.multiplyExact(Long.parseLong(digits), unit);
        }
        catch (final NumberFormatException | ArithmeticException e)
        {
            throw new UsageException(command + ": --" + name + " is not a duration: '" + raw + "'");
        }
        if (ns < minNs || ns > maxNs)
        {
            throw new UsageException(command + ": --" + name + " must be from " + minNs / 1_000_000 + "ms to " +
                maxNs / 1_000_000_000L + "s, not " + raw);
        }
        return ns;
    }

    /**
     * A comma-separated list of names, each one of the allowed.
     *
     * @param name     the option name.
     * @param allowed  the names allowed, in their canonical order.
     * @return the names given, in canonical order, or all of them when the option was not given.
     * @throws UsageException for an unknown name.
     */
    public List<String> choices(final String name, final List<String> allowed)
    {
        if (!values.containsKey(name))
        {
            return allowed;
        }
        final List<String> chosen = new ArrayList<>();
        for (final String item : values.get(name).split(","))
        {
            final String trimmed = item.trim();
            if (!allowed.contains(trimmed))
            {
                throw new UsageException(command + ": --" + name + " has no '" + trimmed + "'; choose from " +
                    String.join(", ", allowed));
            }
            if (!chosen.contains(trimmed))
            {
                chosen.add(trimmed);
            }
        }
        chosen.sort((a, b) -> Integer.compare(allowed.indexOf(a), allowed.indexOf(b)));
        return Collections.unmodifiableList(chosen);
    }
}
