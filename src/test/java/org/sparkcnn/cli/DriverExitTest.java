package org.sparkcnn.cli;

import org.apache.spark.SparkUserAppException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs in both builds: Spark 3.5 and Spark 4 build the exception with different constructors. */
class DriverExitTest {
    @Test
    void theYarnDriversFailureCarriesTheExitCode() {
        SparkUserAppException e = DriverExit.userAppException(3);
        assertEquals(3, e.exitCode());
    }
}
