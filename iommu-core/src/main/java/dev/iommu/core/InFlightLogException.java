/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.nio.file.Path;

/**
 * An existing in-flight log file that cannot be opened as one: not a log, damaged, truncated, of a newer layout or
 * another slot size, of another slot count than asked, holding a record that is not whole, or owned by another live
 * owner. Thrown before the log is used; the file is left as it was.
 */
public final class InFlightLogException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * @param file   the file.
     * @param reason what is wrong with it.
     */
    public InFlightLogException(final Path file, final String reason)
    {
        super(file + ": " + reason);
        this.file = file;
    }

    /**
     * @return the file that was refused.
     */
    public Path file()
    {
        return file;
    }
}
