/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on a terminal: what runs now, how far the run is, and how long is left. Redraws in
 * place with a carriage return; on a stream that is not a terminal (CI logs) it prints one line per step
 * instead.
 */
public final class ProgressBar
{
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean interactive;
    private final long totalNs;
    private long doneNs;

    /**
     * A progress bar.
     *
     * @param out         where to draw.
     * @param interactive true to redraw in place (a terminal), false for one line per step.
     * @param totalNs     the planned length of the whole run.
     */
    public ProgressBar(final PrintStream out, final boolean interactive, final long totalNs)
    {
        this.out = out;
        this.interactive = interactive;
        this.totalNs = Math.max(1, totalNs);
    }

    /**
     * Shows a step starting.
     *
     * @param what the step's name.
     */
    public void start(final String what)
    {
        draw(what);
    }

    /**
     * Counts a finished step's planned length as done.
     *
     * @param plannedNs the step's planned length.
     */
    public void advance(final long plannedNs)
    {
        doneNs = Math.min(totalNs, doneNs + plannedNs);
    }

    /**
     * Ends the bar's line.
     */
    public void finish()
    {
        draw("done");
        if (interactive)
        {
            out.println();
        }
    }

    /**
     * The line as drawn for a step.
     *
     * @param what the step's name.
     * @return the line, without carriage return or newline.
     */
    String line(final String what)
    {
        final int filled = (int)(WIDTH * doneNs / totalNs);
        final long leftSeconds = (totalNs - doneNs + 999_999_999L) / 1_000_000_000L;
        return String.format(Locale.ROOT, "[%s%s] %3d%%  %3ds left  %s", "#".repeat(filled),
            ".".repeat(WIDTH - filled), 100 * doneNs / totalNs, leftSeconds, what);
    }

    private void draw(final String what)
    {
        if (interactive)
        {
            out.print("\r" + line(what) + "\033[K");
        }
        else
        {
            out.println(line(what));
        }
        out.flush();
    }
}
