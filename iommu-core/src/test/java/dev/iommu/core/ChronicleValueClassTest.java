/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import net.openhft.chronicle.values.Values;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chronicle Map's value class {@code VanillaGlobalMutableState$$Native} comes from iommu-core's own classes (generated
 * by its build, {@code src/build/java/dev/iommu/build/ChronicleValueClasses.java}): opening a persistent directory
 * must not have Chronicle Values generate it and compile it with javac in the application's JVM, which made the first
 * launch in a fresh JVM seconds slower.
 */
final class ChronicleValueClassTest
{
    private static final String NATIVE_CLASS = VanillaGlobalMutableState.class.getName() + "$$Native";

    @TempDir
    Path directory;

    @Test
    void theNativeClassChronicleUsesIsTheOneBuiltIntoIommuCore()
    {
        try (PersistedContext context = PersistedContext.open(directory, 1024, false))
        {
            assertNotNull(context);
        }
        final Class<?> used = Values.nativeClassFor(VanillaGlobalMutableState.class);
        assertEquals(NATIVE_CLASS, used.getName());
        final CodeSource source = used.getProtectionDomain().getCodeSource();
        // A class Chronicle compiled at run time is defined without a code source location.
        assertEquals(PersistedContext.class.getProtectionDomain().getCodeSource().getLocation(),
            null == source ? null : source.getLocation(),
            NATIVE_CLASS + " was not loaded from iommu-core's classes (compiled at run time?)");
    }

    @Test
    void aFreshJvmCreatesAndReopensAPersistentDirectoryWithoutJavac() throws IOException, InterruptedException
    {
        final Path log = directory.resolve("class-load.log");
        final Process child = ChildJvm.start(List.of("-Xlog:class+load=info:file=" + log),
            PersistentLaunchChild.class, directory.resolve("emulator").toString());
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
        assertEquals(0, child.exitValue());
        final List<String> loaded = Files.readAllLines(log);
        final String nativeClass = loaded.stream().filter(line -> line.contains(" " + NATIVE_CLASS + " "))
            .findFirst().orElseThrow(() -> new AssertionError(NATIVE_CLASS + " was never loaded"));
        assertTrue(nativeClass.contains("source: file:"), "not loaded from a class file: " + nativeClass);
        assertFalse(loaded.stream().anyMatch(line -> line.contains(" com.sun.tools.javac.main.JavaCompiler ")),
            "javac ran in the launching JVM");
    }
}
