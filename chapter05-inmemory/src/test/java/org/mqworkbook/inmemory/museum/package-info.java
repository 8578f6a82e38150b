/**
 * The failure museum: brokers that are wrong in instructive ways, each caught by the same scenarios the
 * exercise tests run against the learner's code. {@code FailureMuseumTest} shows that the tests would
 * notice these mistakes; the chapter README explains each exhibit.
 */
package org.mqworkbook.inmemory.museum;
