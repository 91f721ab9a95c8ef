/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.callbacks;

/**
 * Leading padding for a class whose fields one thread writes on every event: a superclass's fields are laid out
 * before a subclass's, so the subclass's fields start at least 80 bytes into the object and never share a cache line
 * with the object allocated just before it (for the {@link Dispatcher}: the {@link NotificationPublisher}, which the
 * producers read on every publication). The int fills the gap after the object header, which the JVM would
 * otherwise fill with a subclass field.
 */
abstract class LeadingPadding
{
    @SuppressWarnings("unused")
    private int p00;
    @SuppressWarnings("unused")
    private long p01;
    @SuppressWarnings("unused")
    private long p02;
    @SuppressWarnings("unused")
    private long p03;
    @SuppressWarnings("unused")
    private long p04;
    @SuppressWarnings("unused")
    private long p05;
    @SuppressWarnings("unused")
    private long p06;
    @SuppressWarnings("unused")
    private long p07;
    @SuppressWarnings("unused")
    private long p08;
}
