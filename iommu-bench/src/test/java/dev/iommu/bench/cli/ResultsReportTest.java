/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsReportTest
{
    private final ResultsReport report = new ResultsReport("iommu", List.of(
        result("iommu", 1, 40e6, 20),
        result("chm", 1, 10e6, 80),
        result("iommu", 2, 76e6, 22),
        result("chm", 2, 12e6, 90)));

    @Test
    void ratiosPairTheSameCase()
    {
        assertEquals(4.0, report.ratio(report.results().get(0), "chm"), 1e-9);
        assertEquals(76.0 / 12.0, report.ratio(report.results().get(2), "chm"), 1e-9);
        assertTrue(Double.isNaN(report.ratio(report.results().get(0), "other")));
        assertEquals(List.of("chm"), report.baselines());
    }

    @Test
    void tableHasAHeaderAndOneLinePerResultWithRatiosOnLibraryRows()
    {
        final String[] lines = report.table().split("\n");
        assertEquals(5, lines.length);
        assertTrue(lines[0].contains("x chm"), lines[0]);
        assertTrue(lines[1].endsWith("4.0x"), lines[1]);
        assertTrue(lines[2].trim().endsWith("0"), "a baseline row has no ratio: " + lines[2]);
    }

    @Test
    void csvAndJsonCarryEveryResult()
    {
        final String[] csv = report.csv().split("\n");
        assertEquals(5, csv.length);
        assertEquals("rr,strict,iommu,1,1000,40000000.0,20,20,20,20,0.00,0", csv[1]);
        final String json = report.json();
        assertTrue(json.contains("\"library\": \"iommu\""), json);
        assertTrue(json.contains("\"baselines\": [\"chm\"]"), json);
        assertEquals(4, json.split("\"workload\"").length - 1);
        assertEquals("\"a\\\"b\\\\c\\u000a\"", ResultsReport.jsonString("a\"b\\c\n"));
        assertEquals("\"x,y\"", ResultsReport.csvField("x,y"));
    }

    @Test
    void latencyChartsReadLikeHdrHistogramPlots()
    {
        final List<WorkloadResult> baselineFirst = List.of(result("chm", 1, 10e6, 80), result("iommu", 1, 40e6, 20));
        final org.jfree.chart.JFreeChart chart = ResultsCharts.latencyChart("rr-strict", "iommu", baselineFirst);
        final org.jfree.chart.plot.XYPlot plot = chart.getXYPlot();
        assertEquals("iommu (1 thr)", plot.getDataset().getSeriesKey(0), "the library's line first in the legend");
        assertEquals(java.awt.Color.WHITE, chart.getBackgroundPaint());
        assertEquals(java.awt.Color.WHITE, plot.getBackgroundPaint());
        final List<String> labels = new java.util.ArrayList<>();
        for (final org.jfree.chart.axis.NumberTick tick :
            ((ResultsCharts.PercentileAxis)plot.getDomainAxis()).percentileTicks())
        {
            labels.add(tick.getText());
        }
        assertEquals(List.of("50%", "90%", "99%", "99.9%", "99.99%"), labels);
        assertTrue(plot.getDomainAxis().getUpperBound() > 10_000, "past 99.99%");
    }

    @Test
    void chartsArePngFilesOfTheirSize(@TempDir final Path dir) throws Exception
    {
        final List<Path> files = ResultsCharts.write(report, dir);
        assertEquals(2, files.size(), files.toString());
        for (final Path file : files)
        {
            final BufferedImage image = ImageIO.read(file.toFile());
            assertEquals(900, image.getWidth());
            assertEquals(560, image.getHeight());
            assertTrue(Files.size(file) > 1000);
        }
        assertEquals("rr-strict-throughput.png", files.get(0).getFileName().toString());
    }

    @Test
    void progressBarCountsDownToDone()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false,
            4_000_000_000L);
        bar.start("rr");
        bar.advance(1_000_000_000L);
        bar.start("sg");
        bar.advance(3_000_000_000L);
        bar.finish();
        final String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(3, lines.length);
        assertTrue(lines[0].startsWith("[..............................]   0%    4s left  rr"), lines[0]);
        assertTrue(lines[1].contains(" 25%    3s left  sg"), lines[1]);
        assertTrue(lines[2].contains("100%    0s left  done"), lines[2]);
    }

    private static WorkloadResult result(final String impl, final int threads, final double ops, final long ns)
    {
        final Histogram h = new Histogram(3);
        h.recordValue(ns);
        return new WorkloadResult("rr", "strict", impl, threads, 1000, ops, h, 0, 0);
    }
}
