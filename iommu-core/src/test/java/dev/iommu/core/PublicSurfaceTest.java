/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.core;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Embedders depend on iommu-api and iommu-core only: no public or protected member of a public type of iommu-core
 * (its parameter, return, field, exception or generic argument types, its supertypes) names a type of iommu-ptw or
 * iommu-callbacks. The classes are read from the compiled output of this module.
 */
class PublicSurfaceTest
{
    private static final String[] INTERNAL = {"dev.iommu.ptw.", "dev.iommu.callbacks."};

    @Test
    void noPublicSignatureOfCoreNamesAPtwOrCallbacksType() throws Exception
    {
        final List<String> leaks = new ArrayList<>();
        final List<Class<?>> types = publicCoreTypes();
        assertTrue(types.size() > 20, "found the compiled core types: " + types.size());
        for (final Class<?> type : types)
        {
            check(leaks, type + " extends", type.getGenericSuperclass());
            for (final Type i : type.getGenericInterfaces())
            {
                check(leaks, type + " implements", i);
            }
            for (final Method m : type.getDeclaredMethods())
            {
                if (visible(m.getModifiers()) && !m.isSynthetic())
                {
                    check(leaks, m.toGenericString(), m.getGenericReturnType());
                    for (final Type p : m.getGenericParameterTypes())
                    {
                        check(leaks, m.toGenericString(), p);
                    }
                    for (final Type e : m.getGenericExceptionTypes())
                    {
                        check(leaks, m.toGenericString(), e);
                    }
                }
            }
            for (final Constructor<?> c : type.getDeclaredConstructors())
            {
                if (visible(c.getModifiers()))
                {
                    for (final Type p : c.getGenericParameterTypes())
                    {
                        check(leaks, c.toGenericString(), p);
                    }
                }
            }
            for (final Field f : type.getDeclaredFields())
            {
                if (visible(f.getModifiers()))
                {
                    check(leaks, f.toGenericString(), f.getGenericType());
                }
            }
        }
        assertEquals(List.of(), leaks, "public core API naming internal module types");
    }

    @Test
    void theCheckSeesALeakWhereThereIsOne()
    {
        final List<String> leaks = new ArrayList<>();
        check(leaks, "probe", dev.iommu.ptw.Translation.class);
        check(leaks, "probe", String.class);
        assertEquals(1, leaks.size());
    }

    private static boolean visible(final int modifiers)
    {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(final List<String> leaks, final String where, final Type type)
    {
        if (type instanceof Class)
        {
            Class<?> c = (Class<?>)type;
            while (c.isArray())
            {
                c = c.getComponentType();
            }
            for (final String prefix : INTERNAL)
            {
                if (c.getName().startsWith(prefix))
                {
                    leaks.add(where + " -> " + c.getName());
                }
            }
        }
        else if (type instanceof ParameterizedType)
        {
            final ParameterizedType p = (ParameterizedType)type;
            check(leaks, where, p.getRawType());
            for (final Type a : p.getActualTypeArguments())
            {
                check(leaks, where, a);
            }
        }
    }

    private static List<Class<?>> publicCoreTypes() throws IOException, ClassNotFoundException
    {
        final Path root = Paths.get("target", "classes");
        final List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve("dev/iommu/core")))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final String name = root.relativize(file).toString();
                if (!name.endsWith(".class") || name.endsWith("package-info.class"))
                {
                    continue;
                }
                final Class<?> type = Class.forName(
                    name.substring(0, name.length() - ".class".length()).replace('/', '.').replace('\\', '.'));
                if (Modifier.isPublic(type.getModifiers()) && isReachable(type))
                {
                    types.add(type);
                }
            }
        }
        return types;
    }

    private static boolean isReachable(final Class<?> type)
    {
        for (Class<?> c = type; null != c; c = c.getEnclosingClass())
        {
            if (!Modifier.isPublic(c.getModifiers()))
            {
                return false;
            }
        }
        return true;
    }
}
