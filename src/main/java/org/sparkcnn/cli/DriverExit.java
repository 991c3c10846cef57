package org.sparkcnn.cli;

import org.apache.spark.SparkUserAppException;

/**
 * How the driver ends with its exit code. Normally System.exit: spark-submit and schedulers read the exit
 * code, and non-daemon Spark threads must not keep the JVM alive. As a YARN cluster-mode driver, main runs
 * in a thread of Spark's ApplicationMaster, which reports the application's final status to YARN: there
 * System.exit, even System.exit(0), reports FAILED ("Shutdown hook called before final status was
 * reported") and YARN starts the whole job again as a new attempt. So there success returns, and failure
 * throws the exception the ApplicationMaster turns into FAILED with this exit code.
 */
final class DriverExit {
    private DriverExit() {
    }

    static void exit(int code) throws SparkUserAppException {
        if (!isYarnClusterDriver()) {
            System.exit(code);
        }
        if (code != 0) {
            throw userAppException(code);
        }
    }

    /**
     * Spark 3.5's constructor is SparkUserAppException(int), Spark 4's SparkUserAppException(int, Throwable)
     * (the cause defaults in Scala only): found by reflection so that one source serves both builds.
     */
    static SparkUserAppException userAppException(int code) {
        try {
            for (java.lang.reflect.Constructor<?> c : SparkUserAppException.class.getConstructors()) {
                Class<?>[] types = c.getParameterTypes();
                if (types.length == 1 && types[0] == int.class) {
                    return (SparkUserAppException) c.newInstance(code);
                }
                if (types.length == 2 && types[0] == int.class && types[1] == Throwable.class) {
                    return (SparkUserAppException) c.newInstance(code, null);
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build SparkUserAppException(" + code + ")", e);
        }
        throw new IllegalStateException("this Spark has no SparkUserAppException(int) or (int, Throwable)");
    }

    /** The properties Spark's ApplicationMaster sets for the driver it runs (cluster deploy mode only). */
    private static boolean isYarnClusterDriver() {
        return "yarn".equals(System.getProperty("spark.master"))
                && "cluster".equals(System.getProperty("spark.submit.deployMode"));
    }
}
