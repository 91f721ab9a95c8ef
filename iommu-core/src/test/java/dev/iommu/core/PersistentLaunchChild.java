/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.nio.file.Path;

/**
 * The fresh JVM of {@link ChronicleValueClassTest}: launches an emulator on a new persistent directory, closes it and
 * launches it again (the reopen path: Chronicle Map's files opened, the objects restored), then closes it.
 */
final class PersistentLaunchChild
{
    private PersistentLaunchChild()
    {
    }

    /**
     * @param args the persistent directory (new or empty).
     */
    public static void main(final String[] args)
    {
        final Path directory = Path.of(args[0]);
        IommuEmulator.launch(context(directory)).close();
        try (IommuEmulator reopened = IommuEmulator.launch(context(directory)))
        {
            if (!reopened.recoveryReport().reopened())
            {
                throw new IllegalStateException("the second launch did not reopen " + directory);
            }
        }
    }

    private static EmulatorContext context(final Path directory)
    {
        return new EmulatorContext().platform(V2Rig.x64Platform(V2Rig.limits(V2Rig.SMALL_TABLE_PAGES)))
            .persistentDirectory(directory).dispatcherThread(false);
    }
}
