package io.muster.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SvgChartTest {

    @Test
    void ticksAreRoundNumbersGivingAboutFiveIntervals() {
        assertThat(SvgChart.tick(110_000)).isEqualTo(50_000);
        assertThat(SvgChart.tick(9.3)).isEqualTo(2);
        assertThat(SvgChart.tick(0.42)).isEqualTo(0.1);
        assertThat(SvgChart.tick(0)).isEqualTo(1);
        assertThat(SvgChart.tick(Double.NaN)).isEqualTo(1);
    }

    @Test
    void aLineChartIsAnSvgDocumentWithOnePathPerSeriesAndEscapedText() {
        SvgChart chart = SvgChart.lines("Hosts <online>", "seconds", "hosts", List.of(
                new SvgChart.Series("a", List.of(new double[] {0, 0}, new double[] {10, 5000})),
                new SvgChart.Series("b", List.of(new double[] {0, 0}, new double[] {12, 4000})))).withMark(5);

        String svg = chart.render();

        assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"").endsWith("</svg>\n");
        assertThat(svg.split("<path ", -1)).hasSize(3);
        assertThat(svg).contains("Hosts &lt;online&gt;").contains("stroke-dasharray").contains(">5,000<");
    }

    @Test
    void aCdfEndsAtOneHundredPercentAndStaysSmallForManyValues() {
        double[] values = new double[110_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i / 10_000.0;
        }

        String svg = SvgChart.cdf("latency", "seconds", values).render();

        assertThat(svg.length()).isLessThan(60_000);
        assertThat(svg).contains(">100<");
    }
}
