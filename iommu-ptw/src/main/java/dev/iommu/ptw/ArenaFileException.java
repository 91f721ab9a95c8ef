/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.nio.file.Path;

/**
 * An existing table-arena file that cannot be opened as one: not an arena, damaged, truncated, of a newer layout,
 * or of another size than asked. Thrown before anything is mapped; the file is left as it was.
 */
public final class ArenaFileException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * @param file   the file.
     * @param reason what is wrong with it.
     */
    public ArenaFileException(final Path file, final String reason)
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
