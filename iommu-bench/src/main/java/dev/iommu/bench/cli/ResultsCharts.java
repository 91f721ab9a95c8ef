/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The PNG charts of a bench run, drawn with JFreeChart (headless): throughput against threads for each
 * workload variant run at more than one thread count, and latency percentile curves (latency against
 * 1 / (1 - percentile), the usual HdrHistogram plot) for each workload variant.
 */
public final class ResultsCharts
{
    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;

    private ResultsCharts()
    {
    }

    /**
     * Writes the charts into a folder.
     *
     * @param report the results.
     * @param folder the output folder (must exist).
     * @return the files written.
     * @throws IOException when a file cannot be written.
     */
    public static List<Path> write(final ResultsReport report, final Path folder) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final List<Path> written = new ArrayList<>();
        final Map<String, List<WorkloadResult>> byVariant = new LinkedHashMap<>();
        for (final WorkloadResult r : report.results())
        {
            byVariant.computeIfAbsent(r.workload() + "-" + r.variant(), k -> new ArrayList<>()).add(r);
        }
        for (final Map.Entry<String, List<WorkloadResult>> e : byVariant.entrySet())
        {
            final List<WorkloadResult> group = e.getValue();
            if (group.stream().mapToInt(WorkloadResult::threads).distinct().count() > 1)
            {
                written.add(save(throughputChart(e.getKey(), group), folder.resolve(fileName(e.getKey(),
                    "throughput"))));
            }
            written.add(save(latencyChart(e.getKey(), group), folder.resolve(fileName(e.getKey(), "latency"))));
        }
        return written;
    }

    static String fileName(final String key, final String kind)
    {
        return key.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + kind + ".png";
    }

    private static JFreeChart throughputChart(final String title, final List<WorkloadResult> group)
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        final Map<String, XYSeries> series = new LinkedHashMap<>();
        for (final WorkloadResult r : group)
        {
            series.computeIfAbsent(r.implementation(), XYSeries::new).add(r.threads(), r.opsPerSecond() / 1e6);
        }
        series.values().forEach(data::addSeries);
        return ChartFactory.createXYLineChart(title + ": throughput", "threads", "million operations per second",
            data, PlotOrientation.VERTICAL, true, false, false);
    }

    private static JFreeChart latencyChart(final String title, final List<WorkloadResult> group)
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        for (final WorkloadResult r : group)
        {
            final XYSeries curve = new XYSeries(r.implementation() + " (" + r.threads() + " thr)");
            final Histogram h = r.latencyNs();
            if (h.getTotalCount() == 0)
            {
                continue;
            }
            for (final double p : new double[]{0, 50, 75, 90, 99, 99.9, 99.99, 99.999})
            {
                curve.add(1.0 / (1.0 - p / 100.0), Math.max(1, h.getValueAtPercentile(p)));
            }
            data.addSeries(curve);
        }
        final JFreeChart chart = ChartFactory.createXYLineChart(title + ": latency by percentile",
            "1 / (1 - percentile)   (10 = p90, 100 = p99, 1000 = p99.9)", "nanoseconds", data,
            PlotOrientation.VERTICAL, true, false, false);
        final XYPlot plot = chart.getXYPlot();
        plot.setDomainAxis(new LogAxis("1 / (1 - percentile)   (10 = p90, 100 = p99, 1000 = p99.9)"));
        plot.setRangeAxis(new LogAxis("nanoseconds"));
        return chart;
    }

    private static Path save(final JFreeChart chart, final Path file) throws IOException
    {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        return file;
    }
}
