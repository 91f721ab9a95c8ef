/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.ptw;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import kotlin.Unit;
import kotlin.reflect.KFunction;
import kotlin.reflect.jvm.ReflectJvmMapping;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.DSLScenarioBuilder;
import org.jetbrains.lincheck.datastructures.DSLThreadScenario;

/**
 * A Lincheck custom scenario written from Java: operations named by their method (no Kotlin lambdas or function
 * references at the call site). The model checker explores every interleaving of a custom scenario, so a test
 * that names the racing operations finds a race deterministically.
 */
final class LincheckScenario
{
    private final Class<?> operations;
    private final List<Object[]> initial = new ArrayList<>();
    private final List<List<Object[]>> threads = new ArrayList<>();
    private final List<Object[]> post = new ArrayList<>();

    private LincheckScenario(final Class<?> operations)
    {
        this.operations = operations;
    }

    /**
     * @param operations the class whose {@code @Operation} methods the scenario calls.
     * @return an empty scenario.
     */
    static LincheckScenario of(final Class<?> operations)
    {
        return new LincheckScenario(operations);
    }

    /**
     * @param method the operation's name.
     * @param args   its arguments.
     * @return this.
     */
    LincheckScenario initial(final String method, final Object... args)
    {
        initial.add(call(method, args));
        return this;
    }

    /**
     * @param thread the parallel thread (0, 1, ...).
     * @param method the operation's name.
     * @param args   its arguments.
     * @return this.
     */
    LincheckScenario thread(final int thread, final String method, final Object... args)
    {
        while (threads.size() <= thread)
        {
            threads.add(new ArrayList<>());
        }
        threads.get(thread).add(call(method, args));
        return this;
    }

    /**
     * @param method the operation's name.
     * @param args   its arguments.
     * @return this.
     */
    LincheckScenario post(final String method, final Object... args)
    {
        post.add(call(method, args));
        return this;
    }

    /**
     * @return the scenario, for {@code addCustomScenario}.
     */
    ExecutionScenario build()
    {
        final DSLScenarioBuilder builder = new DSLScenarioBuilder();
        builder.initial(t -> addAll(t, initial));
        builder.parallel(p ->
        {
            for (final List<Object[]> calls : threads)
            {
                p.thread(t -> addAll(t, calls));
            }
            return Unit.INSTANCE;
        });
        builder.post(t -> addAll(t, post));
        return builder.buildScenario();
    }

    private Object[] call(final String name, final Object[] args)
    {
        for (final Method method : operations.getMethods())
        {
            if (method.getName().equals(name) && method.getParameterCount() == args.length)
            {
                return new Object[] {ReflectJvmMapping.getKotlinFunction(method), args};
            }
        }
        throw new IllegalArgumentException("no operation " + name + "/" + args.length + " in " + operations);
    }

    private static Unit addAll(final DSLThreadScenario thread, final List<Object[]> calls)
    {
        for (final Object[] call : calls)
        {
            thread.actor((KFunction<?>)call[0], (Object[])call[1]);
        }
        return Unit.INSTANCE;
    }
}
