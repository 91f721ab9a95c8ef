/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts another JVM for a test that needs a second process (an owner to kill):
 * the same java binary, the test JVM's module flags and system properties, its class path, a small heap.
 */
final class ChildJvm
{
    private ChildJvm()
    {
    }

    /**
     * @param main the class whose {@code main} the child runs.
     * @param args its arguments.
     * @return the child process (its output goes to the test's).
     * @throws IOException when it cannot be started.
     */
    static Process start(final Class<?> main, final String... args) throws IOException
    {
        return start(List.of(), main, args);
    }

    /**
     * @param jvmOptions more options of the child JVM (after the test JVM's).
     * @param main       the class whose {@code main} the child runs.
     * @param args       its arguments.
     * @return the child process (its output goes to the test's).
     * @throws IOException when it cannot be started.
     */
    static Process start(final List<String> jvmOptions, final Class<?> main, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-") || argument.startsWith("-D") || argument.startsWith("--sun-misc") ||
                argument.startsWith("--enable-native-access"))
            {
                command.add(argument);
            }
        }
        command.add("-Xmx64m");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).inheritIO().start();
    }
}
