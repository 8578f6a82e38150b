package org.mqworkbook.dispatch.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.dispatch.routing.FilterPolicy.Attribute;
import org.mqworkbook.dispatch.routing.FilterPolicy.Condition;

/**
 * SNS-style filter policies (given code, so these pass on the skeleton too): AND across attribute names,
 * OR within one, typed conditions, missing attributes, arrays, and the limits that bound a match. README
 * section "7.5 Tag filters", "SNS filter policies".
 */
@Timeout(10)
class FilterPolicyTest {
    private static final Map<String, Attribute> BLUE_12 = Map.of("color", new Attribute.Text("blue"),
        "size", new Attribute.Number(12));

    private static FilterPolicy policy(Object... nameAndConditions) {
        Map<String, List<Condition>> conditions = new LinkedHashMap<>();
        for (int i = 0; i < nameAndConditions.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<Condition> list = (List<Condition>) nameAndConditions[i + 1];
            conditions.put((String) nameAndConditions[i], list);
        }
        return FilterPolicy.of(conditions);
    }

    @Test
    void orWithinANameAndAcrossNames() {
        FilterPolicy colors = policy("color", List.of(new Condition.Exact("red"), new Condition.Prefix("bl")));
        assertThat(colors.matches(BLUE_12)).as("one of the color's conditions holds").isTrue();

        FilterPolicy both = policy("color", List.of(new Condition.Prefix("bl")),
            "size", List.of(new Condition.NumericRange(0.0, false, 10.0, true)));
        assertThat(both.matches(BLUE_12)).as("size 12 is outside (0, 10]: AND fails").isFalse();
        assertThat(both.matches(Map.of("color", new Attribute.Text("blue"), "size", new Attribute.Number(10))))
            .as("10 is inside (0, 10]").isTrue();
    }

    @Test
    void conditionsAreTypedAndNumbersCompareAsNumbers() {
        FilterPolicy nine = policy("n", List.of(new Condition.ExactNumber(9)));
        assertThat(nine.matches(Map.of("n", new Attribute.Number(9.0)))).isTrue();
        assertThat(nine.matches(Map.of("n", new Attribute.Text("9")))).as("the string \"9\" is not 9").isFalse();
        assertThat(policy("n", List.of(new Condition.Exact("9"))).matches(Map.of("n", new Attribute.Number(9))))
            .as("nor is the number 9 the string").isFalse();
        assertThat(policy("n", List.of(new Condition.ExactNumber(0))).matches(Map.of("n", new Attribute.Number(-0.0))))
            .isTrue();
    }

    @Test
    void aMissingAttributeFailsEveryConditionButExistsFalse() {
        Map<String, Attribute> none = Map.of();
        assertThat(policy("store", List.of(new Condition.Exists(false))).matches(none)).isTrue();
        assertThat(policy("store", List.of(new Condition.Exists(true))).matches(none)).isFalse();
        assertThat(policy("store", List.of(new Condition.AnythingBut(Set.of("x"), Set.of()))).matches(none))
            .as("anything-but needs the attribute (SNS)").isFalse();
        assertThat(policy("store", List.of(new Condition.AnythingButPrefix("x"))).matches(none)).isFalse();
    }

    @Test
    void anythingButSuffixEqualsIgnoreCaseAndArrays() {
        FilterPolicy notRed = policy("color", List.of(new Condition.AnythingBut(Set.of("red"), Set.of())));
        assertThat(notRed.matches(BLUE_12)).isTrue();
        assertThat(notRed.matches(Map.of("color", new Attribute.Text("red")))).isFalse();
        assertThat(policy("size", List.of(new Condition.AnythingBut(Set.of(), Set.of(12.0)))).matches(BLUE_12))
            .isFalse();
        assertThat(policy("color", List.of(new Condition.Suffix("ue"))).matches(BLUE_12)).isTrue();
        assertThat(policy("color", List.of(new Condition.EqualsIgnoreCase("BLUE"))).matches(BLUE_12)).isTrue();
        assertThat(policy("color", List.of(new Condition.AnythingButPrefix("bl"))).matches(BLUE_12)).isFalse();

        Map<String, Attribute> tagged = Map.of("tags", new Attribute.TextArray(List.of("sale", "new")));
        assertThat(policy("tags", List.of(new Condition.Exact("new"))).matches(tagged))
            .as("an array matches if one element does").isTrue();
        assertThat(policy("tags", List.of(new Condition.Exact("old"))).matches(tagged)).isFalse();
    }

    @Test
    void policiesAreBoundedAsSnsBoundsThem() {
        assertThatThrownBy(() -> FilterPolicy.of(Map.of())).hasMessageContaining("1 to 5");
        Map<String, List<Condition>> six = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            six.put("a" + i, List.of(new Condition.Exists(true)));
        }
        assertThatThrownBy(() -> FilterPolicy.of(six)).hasMessageContaining("1 to 5");
        List<Condition> many = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            many.add(new Condition.Exact("v" + i));
        }
        assertThatThrownBy(() -> policy("a", many, "b", many)).as("13 x 13 = 169 combinations")
            .hasMessageContaining("169 combinations");
        assertThatThrownBy(() -> policy("a", List.of())).hasMessageContaining("no condition");
        assertThatThrownBy(() -> new Condition.NumericRange(5.0, true, 1.0, true)).hasMessageContaining("empty");
        assertThatThrownBy(() -> new Attribute.Number(2e9)).hasMessageContaining("±");
    }
}
