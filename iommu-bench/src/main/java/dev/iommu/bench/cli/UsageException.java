/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.bench.cli;

/**
 * A command line the tool cannot run: an unknown command or option, a missing or malformed value. The tool
 * prints the message on one line, then the usage, and exits with status 2.
 */
public final class UsageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * An exception with the one-line reason.
     *
     * @param message what is wrong with the command line.
     */
    public UsageException(final String message)
    {
        super(message);
    }
}
