package org.mqworkbook.workbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ChapterTextTest {
    private final ChapterText text = ChapterText.parse(List.of(
        "# Chapter 5 — A minimum viable message queue (最小可用消息队列)",
        "",
        "## Where things are",
        "## 5.1 A bounded blocking queue (用内存队列实现生产与消费)",
        "text",
        "## 5.2 Named queues"));

    @Test
    void findsTheChapterTitle() {
        assertThat(text.title()).isEqualTo("Chapter 5 — A minimum viable message queue (最小可用消息队列)");
    }

    @Test
    void findsEachExercisesSectionWithItsLine() {
        assertThat(text.exercise("5.1")).isEqualTo(new Exercise("5.1", "A bounded blocking queue (用内存队列实现生产与消费)", 4));
        assertThat(text.exercise("5.2").textLine()).isEqualTo(6);
    }

    @Test
    void namesAnExerciseWithoutASection() {
        Exercise missing = text.exercise("5.9");

        assertThat(missing.textLine()).isZero();
        assertThat(missing.heading()).isEqualTo("exercise 5.9");
    }
}
