/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.build;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * A build step of iommu-core, not part of the library: writes the Java source of the native value classes that
 * Chronicle Values would otherwise generate and compile with javac inside the application, the first time a Chronicle
 * Map is created or opened in a JVM (for {@code net.openhft.chronicle.hash.VanillaGlobalMutableState}, the global state
 * in every map's header: {@code VanillaGlobalMutableState$$Native}). iommu-core's build compiles the source into its
 * jar; at run time Chronicle Values finds the class with its class loader before it would generate one, so that a
 * launch does not run javac (about 1 s in a fresh JVM on an idle machine, several seconds on a busy one).
 * <p>
 * The source is Chronicle Values' own output, from the versions of the build's class path: its generator prints the
 * source it compiles when the system property {@code chronicle.values.dumpCode} is true (as each value interface's
 * {@code main} of Chronicle Map does), and this program keeps what it prints, unchanged but for a leading comment.
 * Chronicle runs in a class loader of the class path's jars only: a class an earlier build left in the module's
 * output directory would otherwise be found instead of generated again.
 * <p>
 * Run as a single-file program (exec-maven-plugin, generate-sources), with the JVM flags Chronicle Map needs:
 * {@code java <flags> -cp <class path> ChronicleValueClasses.java <output directory> <value interface>...}. Nothing
 * is generated while every file is newer than Chronicle's jars on the class path (a new Chronicle version regenerates
 * them; a change to this program needs a clean build), and a file is rewritten only when its text changes (the
 * compiler then has nothing to do). Exits non-zero when Chronicle Values does not generate a class or prints something
 * that is not one.
 */
public final class ChronicleValueClasses
{
    private static final String NATIVE_SUFFIX = "$$Native";

    private ChronicleValueClasses()
    {
    }

    /**
     * Writes the source of each value interface's native class.
     *
     * @param args the output directory, then the value interfaces' names.
     * @throws Exception when a class cannot be generated or written.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length < 2)
        {
            System.err.println("usage: ChronicleValueClasses <output directory> <value interface>...");
            System.exit(2);
        }
        final Path output = Path.of(args[0]);
        final List<Path> jars = new ArrayList<>();
        String valuesJar = "?";
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            final Path path = Path.of(entry);
            if (Files.isRegularFile(path) && entry.endsWith(".jar"))
            {
                jars.add(path);
                if (path.getFileName().toString().startsWith("chronicle-values-"))
                {
                    valuesJar = path.getFileName().toString();
                }
            }
        }
        if (upToDate(output, jars, args))
        {
            System.out.println("ChronicleValueClasses: " + output + " is up to date");
            return;
        }
        System.setProperty("chronicle.values.dumpCode", "true");
        final URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++)
        {
            urls[i] = jars.get(i).toUri().toURL();
        }
        try (URLClassLoader chronicle = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader()))
        {
            final Method nativeClassFor = Class.forName("net.openhft.chronicle.values.Values", true, chronicle)
                .getMethod("nativeClassFor", Class.class);
            for (int i = 1; i < args.length; i++)
            {
                final Class<?> type = Class.forName(args[i], false, chronicle);
                final String source = generate(nativeClassFor, type);
                final String packageName = type.getPackageName();
                final String simpleName = type.getSimpleName() + NATIVE_SUFFIX;
                if (!source.startsWith("package " + packageName + ";") ||
                    !source.contains(" class " + simpleName + " "))
                {
                    throw new IllegalStateException("Chronicle Values printed no source of " + packageName + "." +
                        simpleName + " (was the class already on the class path?):\n" + source);
                }
                final String text = "// Generated by iommu-core's build (src/build/java/dev/iommu/build/" +
                    "ChronicleValueClasses.java)\n// with the generator of " + valuesJar + ", from " + type.getName() +
                    ": the class Chronicle Values\n// would otherwise compile with javac at run time. Not edited.\n" +
                    source;
                write(output.resolve(packageName.replace('.', '/')).resolve(simpleName + ".java"), text);
            }
        }
    }

    /**
     * Whether every class's source exists and is newer than every jar of Chronicle and its generator on the class path
     * (the generation runs javac: skipped when nothing it reads changed).
     */
    private static boolean upToDate(final Path output, final List<Path> jars, final String[] args) throws IOException
    {
        long newestJar = 0;
        for (final Path jar : jars)
        {
            final String name = jar.getFileName().toString();
            // Chronicle's jars and its generator's (not this project's own, rebuilt by every build).
            if (name.startsWith("chronicle-") || name.startsWith("compiler-") || name.startsWith("javapoet-"))
            {
                newestJar = Math.max(newestJar, Files.getLastModifiedTime(jar).toMillis());
            }
        }
        for (int i = 1; i < args.length; i++)
        {
            final int dot = args[i].lastIndexOf('.');
            final Path file = output.resolve(args[i].substring(0, dot).replace('.', '/'))
                .resolve(args[i].substring(dot + 1) + NATIVE_SUFFIX + ".java");
            if (!Files.exists(file) || Files.getLastModifiedTime(file).toMillis() <= newestJar)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Has Chronicle Values generate (and compile, in this JVM) the native class of a value interface, and returns
     * the source it printed.
     */
    private static String generate(final Method nativeClassFor, final Class<?> type) throws IOException
    {
        final PrintStream out = System.out;
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8))
        {
            System.setOut(capture);
            nativeClassFor.invoke(null, type);
        }
        catch (final IllegalAccessException | InvocationTargetException ex)
        {
            throw new IOException("Chronicle Values cannot generate the native class of " + type.getName(), ex);
        }
        finally
        {
            System.setOut(out);
        }
        return printed.toString(StandardCharsets.UTF_8).strip() + "\n";
    }

    private static void write(final Path file, final String text) throws IOException
    {
        if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(text))
        {
            // Unchanged: touched only, so that the next build skips the generation.
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
            System.out.println("ChronicleValueClasses: " + file + " unchanged");
            return;
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        System.out.println("ChronicleValueClasses: wrote " + file);
    }
}
