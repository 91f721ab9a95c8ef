/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

/**
 * A persistent directory ({@link EmulatorContext#persistentDirectory}) the emulator cannot open or keep: a file of
 * another layout or damaged, a record that names an object the platform does not have, or a context table that
 * cannot be written. The message names the file or record and what is wrong. Thrown by
 * {@link IommuEmulator#launch} before the emulator serves any call.
 */
public final class PersistenceException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, and where.
     */
    public PersistenceException(final String message)
    {
        super(message);
    }

    /**
     * @param message what is wrong, and where.
     * @param cause   the failure underneath.
     */
    public PersistenceException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
