/*
 * Copyright 2026 The dev.iommu authors.
 * Licensed under the Apache License, Version 2.0.
 */
package dev.iommu.api;

/**
 * A value of one of the C enumerations of spec section 3: its numeric value and its name as
 * written in wdm.h. Implemented by every enum of this package.
 */
public interface SpecConstant
{
    /**
     * The numeric value the C enumeration gives this constant.
     *
     * @return the value.
     */
    int value();

    /**
     * The constant's name as wdm.h spells it, for example {@code DomainTypeTranslate}.
     *
     * @return the C name.
     */
    String specName();

    /**
     * Finds the constant of an enumeration with a given numeric value.
     *
     * @param constants the enumeration's constants, in any order.
     * @param value     the numeric value.
     * @param <E>       the enumeration.
     * @return the constant, or null when no constant has that value.
     */
    static <E extends Enum<E> & SpecConstant> E fromValue(final E[] constants, final int value)
    {
        for (final E constant : constants)
        {
            if (constant.value() == value)
            {
                return constant;
            }
        }
        return null;
    }
}
