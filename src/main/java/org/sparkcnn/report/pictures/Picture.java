package org.sparkcnn.report.pictures;

/**
 * A rendered picture of the report.
 *
 * @param fileName PNG file name in the output folder
 * @param title    caption shown in the HTML report
 * @param png      the PNG bytes
 */
public record Picture(String fileName, String title, byte[] png) {
}
