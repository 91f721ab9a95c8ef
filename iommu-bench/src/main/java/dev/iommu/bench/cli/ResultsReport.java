/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The results of a bench run as the text table the tool prints, and as JSON and CSV files. Each row of this
 * library carries its throughput ratio to every baseline measured on the same workload, variant and threads in
 * the same run.
 */
public final class ResultsReport
{
    private static final double[] PERCENTILES = {50.0, 99.0, 99.9};

    private final String library;
    private final List<WorkloadResult> results;

    /**
     * A report.
     *
     * @param library the implementation name of this library (other names are baselines).
     * @param results the results, in the order they ran.
     */
    public ResultsReport(final String library, final List<WorkloadResult> results)
    {
        this.library = library;
        this.results = List.copyOf(results);
    }

    /**
     * @return the library's implementation name (the others are baselines).
     */
    public String library()
    {
        return library;
    }

    /**
     * The results.
     *
     * @return an unmodifiable list.
     */
    public List<WorkloadResult> results()
    {
        return results;
    }

    /**
     * This library's throughput divided by a baseline's on the same case, or NaN when there is no such
     * baseline result.
     *
     * @param result   a result of this library.
     * @param baseline a baseline's implementation name.
     * @return the ratio.
     */
    public double ratio(final WorkloadResult result, final String baseline)
    {
        for (final WorkloadResult other : results)
        {
            if (other.implementation().equals(baseline) && other.caseKey().equals(result.caseKey()) &&
                other.opsPerSecond() > 0)
            {
                return result.opsPerSecond() / other.opsPerSecond();
            }
        }
        return Double.NaN;
    }

    /**
     * The names of the baselines, in the order they first appear.
     *
     * @return the baseline names.
     */
    public List<String> baselines()
    {
        final List<String> names = new ArrayList<>();
        for (final WorkloadResult r : results)
        {
            if (!r.implementation().equals(library) && !names.contains(r.implementation()))
            {
                names.add(r.implementation());
            }
        }
        return names;
    }

    /**
     * The table printed at the end of a run.
     *
     * @return the table, one line per result.
     */
    public String table()
    {
        final List<String> baselines = baselines();
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-16s %-16s %3s %-9s %14s %9s %9s %9s %8s %7s",
            "workload", "variant", "thr", "impl", "ops/s", "p50 ns", "p99 ns", "p999 ns", "B/op", "failed"));
        for (final String baseline : baselines)
        {
            out.append(String.format(Locale.ROOT, " %12s", "x " + baseline));
        }
        out.append('\n');
        for (final WorkloadResult r : results)
        {
            out.append(String.format(Locale.ROOT, "%-16s %-16s %3d %-9s %,14.0f %9d %9d %9d %8.1f %7d",
                r.workload(), r.variant(), r.threads(), r.implementation(), r.opsPerSecond(), r.latencyAt(50.0),
                r.latencyAt(99.0), r.latencyAt(99.9), r.bytesPerOp(), r.failures()));
            for (final String baseline : baselines)
            {
                final double ratio = r.implementation().equals(library) ? ratio(r, baseline) : Double.NaN;
                out.append(Double.isNaN(ratio) ? String.format(Locale.ROOT, " %12s", "") :
                    String.format(Locale.ROOT, " %11.1fx", ratio));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * The results as CSV with a header line.
     *
     * @return the CSV text.
     */
    public String csv()
    {
        final StringBuilder out = new StringBuilder(
            "workload,variant,implementation,threads,operations,ops_per_second,p50_ns,p99_ns,p999_ns,max_ns," +
            "bytes_per_op,failures\n");
        for (final WorkloadResult r : results)
        {
            out.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%.1f,%d,%d,%d,%d,%.2f,%d%n",
                csvField(r.workload()), csvField(r.variant()), csvField(r.implementation()), r.threads(),
                r.operations(), r.opsPerSecond(), r.latencyAt(50.0), r.latencyAt(99.0), r.latencyAt(99.9),
                r.latencyNs().getMaxValue(), r.bytesPerOp(), r.failures()));
        }
        return out.toString();
    }

    /**
     * The results as a JSON document: the library's name, the baselines, and one object per result.
     *
     * @return the JSON text.
     */
    public String json()
    {
        final StringBuilder out = new StringBuilder("{\n  \"library\": ").append(jsonString(library))
            .append(",\n  \"baselines\": [");
        final List<String> baselines = baselines();
        for (int i = 0; i < baselines.size(); i++)
        {
            out.append(i == 0 ? "" : ", ").append(jsonString(baselines.get(i)));
        }
        out.append("],\n  \"results\": [");
        for (int i = 0; i < results.size(); i++)
        {
            final WorkloadResult r = results.get(i);
            out.append(i == 0 ? "\n" : ",\n").append("    {\"workload\": ").append(jsonString(r.workload()))
                .append(", \"variant\": ").append(jsonString(r.variant()))
                .append(", \"implementation\": ").append(jsonString(r.implementation()))
                .append(", \"threads\": ").append(r.threads())
                .append(", \"operations\": ").append(r.operations())
                .append(String.format(Locale.ROOT, ", \"opsPerSecond\": %.1f", r.opsPerSecond()));
            for (final double p : PERCENTILES)
            {
                out.append(String.format(Locale.ROOT, ", \"p%s_ns\": %d",
                    p == 99.9 ? "999" : Integer.toString((int)p), r.latencyAt(p)));
            }
            out.append(String.format(Locale.ROOT, ", \"bytesPerOp\": %.2f", r.bytesPerOp()))
                .append(", \"failures\": ").append(r.failures()).append('}');
        }
        out.append("\n  ]\n}\n");
        return out.toString();
    }

    static String jsonString(final String value)
    {
        final StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == '"' || c == '\\')
            {
                out.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
            }
            else
            {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    static String csvField(final String value)
    {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0)
        {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
