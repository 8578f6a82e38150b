package org.mqworkbook.workbook;

/**
 * One exercise of a chapter, as the chapter text presents it.
 *
 * @param id       "5.3": the chapter number, a dot, the exercise number (the marker regions' id)
 * @param title    the title of its section in the chapter README, e.g. "Acknowledgements and redelivery"
 * @param textLine the line of that section's heading in the README (1-based), or 0 if it has none
 */
record Exercise(String id, String title, int textLine) {

    /** "5.3 Acknowledgements and redelivery", as the chapter text's heading reads. */
    String heading() {
        return textLine > 0 ? id + " " + title : title;
    }
}
