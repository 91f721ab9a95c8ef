/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.text.DecimalFormat;
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
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The PNG charts of a bench run, drawn with JFreeChart (headless): throughput against threads for each
 * workload variant run at more than one thread count, and latency percentile curves for each workload variant,
 * drawn as HdrHistogram's plotter draws them: latency against 1 / (1 - percentile) on log axes, the x axis
 * labelled 50%, 90%, 99%, 99.9%, 99.99%, on a white background, the library's line first in the legend.
 */
public final class ResultsCharts
{
    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;
    /** The percentiles plotted (0 is the minimum); the x position of p is 1 / (1 - p). */
    private static final double[] PERCENTILES = {0, 50, 75, 90, 99, 99.9, 99.99};
    /** The labelled x ticks: HdrHistogram's plot labels. */
    private static final double[] LABELLED = {50, 90, 99, 99.9, 99.99};

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
                written.add(save(throughputChart(e.getKey(), report.library(), group), folder.resolve(fileName(
                    e.getKey(), "throughput"))));
            }
            written.add(save(latencyChart(e.getKey(), report.library(), group),
                folder.resolve(fileName(e.getKey(), "latency"))));
        }
        return written;
    }

    static String fileName(final String key, final String kind)
    {
        return key.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + kind + ".png";
    }

    private static JFreeChart throughputChart(final String title, final String library,
        final List<WorkloadResult> group)
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        final Map<String, XYSeries> series = new LinkedHashMap<>();
        for (final WorkloadResult r : libraryFirst(library, group))
        {
            series.computeIfAbsent(r.implementation(), XYSeries::new).add(r.threads(), r.opsPerSecond() / 1e6);
        }
        series.values().forEach(data::addSeries);
        return whiteBackground(ChartFactory.createXYLineChart(title + ": throughput", "threads",
            "million operations per second", data, PlotOrientation.VERTICAL, true, false, false));
    }

    /**
     * The results with the library's first (the first line of the legend), the others in their order.
     */
    static List<WorkloadResult> libraryFirst(final String library, final List<WorkloadResult> group)
    {
        final List<WorkloadResult> ordered = new ArrayList<>();
        for (final WorkloadResult r : group)
        {
            if (r.implementation().equals(library))
            {
                ordered.add(r);
            }
        }
        for (final WorkloadResult r : group)
        {
            if (!r.implementation().equals(library))
            {
                ordered.add(r);
            }
        }
        return ordered;
    }

    private static JFreeChart whiteBackground(final JFreeChart chart)
    {
        chart.setBackgroundPaint(Color.WHITE);
        final XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return chart;
    }

    static JFreeChart latencyChart(final String title, final String library, final List<WorkloadResult> group)
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        for (final WorkloadResult r : libraryFirst(library, group))
        {
            final XYSeries curve = new XYSeries(r.implementation() + " (" + r.threads() + " thr)");
            final Histogram h = r.latencyNs();
            if (h.getTotalCount() == 0)
            {
                continue;
            }
            for (final double p : PERCENTILES)
            {
                curve.add(1.0 / (1.0 - p / 100.0), Math.max(1, h.getValueAtPercentile(p)));
            }
            data.addSeries(curve);
        }
        final JFreeChart chart = whiteBackground(ChartFactory.createXYLineChart(title + ": latency by percentile",
            "percentile", "nanoseconds", data, PlotOrientation.VERTICAL, true, false, false));
        final XYPlot plot = chart.getXYPlot();
        final PercentileAxis axis = new PercentileAxis();
        // A little past 99.99% so that its label is not cut at the edge.
        axis.setRange(1, 2.0 / (1.0 - LABELLED[LABELLED.length - 1] / 100.0));
        plot.setDomainAxis(axis);
        final LogAxis nanoseconds = new LogAxis("nanoseconds");
        nanoseconds.setTickUnit(new NumberTickUnit(1.0));
        nanoseconds.setNumberFormatOverride(new DecimalFormat("#,##0"));
        plot.setRangeAxis(nanoseconds);
        return chart;
    }

    /**
     * A log axis of 1 / (1 - percentile) whose only ticks are HdrHistogram's labels: 50%, 90%, 99%, 99.9%, 99.99%.
     */
    static final class PercentileAxis extends LogAxis
    {
        private static final long serialVersionUID = 1L;

        PercentileAxis()
        {
            super("percentile");
        }

        /**
         * @return the labelled ticks, at x = 1 / (1 - p).
         */
        List<NumberTick> percentileTicks()
        {
            final List<NumberTick> ticks = new ArrayList<>();
            for (final double p : LABELLED)
            {
                final String label = (p == Math.rint(p) ? Long.toString((long)p) : Double.toString(p)) + "%";
                ticks.add(new NumberTick(TickType.MAJOR, 1.0 / (1.0 - p / 100.0), label, TextAnchor.TOP_CENTER,
                    TextAnchor.CENTER, 0.0));
            }
            return ticks;
        }

        @Override
        @SuppressWarnings("rawtypes")
        protected List refreshTicksHorizontal(final Graphics2D g2, final Rectangle2D dataArea,
            final RectangleEdge edge)
        {
            return percentileTicks();
        }
    }

    private static Path save(final JFreeChart chart, final Path file) throws IOException
    {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        return file;
    }
}
