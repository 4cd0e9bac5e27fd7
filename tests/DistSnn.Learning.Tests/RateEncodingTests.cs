using DistSnn.Learning.Encoding;

namespace DistSnn.Learning.Tests;

public class RateEncodingTests
{
    [Theory]
    [InlineData(0, 0f)]
    [InlineData(4, 1f)]
    [InlineData(128, 32f)]
    [InlineData(255, 63.75f)]
    public void Default_rate_is_a_quarter_of_the_pixel_value_in_hz(byte pixel, float expectedHz)
    {
        // Diehl & Cook: rate = pixel / 4 Hz.
        Assert.Equal(expectedHz, RateEncoding.RateHz(pixel), 5);
        Assert.Equal(pixel / 4f, RateEncoding.RateHz(pixel), 5);
    }

    [Fact]
    public void Max_rate_and_intensity_scale_linearly()
    {
        Assert.Equal(100f, RateEncoding.RateHz(255, maxRateHz: 100f), 4);
        Assert.Equal(25f, RateEncoding.RateHz(51, maxRateHz: 125f), 4);
        Assert.Equal(95.625f, RateEncoding.RateHz(255, intensity: 1.5f), 4);
        Assert.Equal(0f, RateEncoding.RateHz(255, intensity: 0f));
    }

    [Theory]
    [InlineData(0, 1f)]
    [InlineData(1, 1.5f)]
    [InlineData(2, 2f)]
    [InlineData(6, 4f)]
    public void Diehl_cook_intensity_adds_half_per_retry(int retries, float expected)
    {
        Assert.Equal(expected, RateEncoding.DiehlCookIntensity(retries));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Intensity_multiplier_reproduces_diehl_cook_input_intensity(int retries)
    {
        // Their code: input_intensity starts at 2 and grows by 1 per retry; rate = pixel / 8 * input_intensity.
        int inputIntensity = 2 + retries;
        for (int pixel = 0; pixel <= 255; pixel += 17)
            Assert.Equal(pixel / 8f * inputIntensity,
                RateEncoding.RateHz((byte)pixel, intensity: RateEncoding.DiehlCookIntensity(retries)), 3);
    }

    [Fact]
    public void Each_retry_raises_the_full_intensity_rate_by_about_32_hz()
    {
        float step = RateEncoding.RateHz(255, intensity: RateEncoding.DiehlCookIntensity(1))
                     - RateEncoding.RateHz(255, intensity: RateEncoding.DiehlCookIntensity(0));
        Assert.Equal(31.875f, step, 4);
    }

    [Fact]
    public void Image_rates_follow_the_pixel_order()
    {
        byte[] image = [0, 255, 8, 100];
        Assert.Equal(new[] { 0f, 63.75f, 2f, 25f }, RateEncoding.RatesHz(image));
        Assert.Equal(new[] { 0f, 127.5f, 4f, 50f }, RateEncoding.RatesHz(image, intensity: 2f));

        var destination = new float[4];
        RateEncoding.RatesHz(image, destination, maxRateHz: 255f);
        Assert.Equal(new[] { 0f, 255f, 8f, 100f }, destination);
    }

    [Fact]
    public void Normalized_rates_add_up_to_the_total_whatever_the_brightness()
    {
        byte[] dim = [0, 10, 30, 0], bright = [200, 255, 100, 145];
        var rates = new float[4];

        RateEncoding.NormalizedRatesHz(dim, rates, 1000f);
        Assert.Equal(new[] { 0f, 250f, 750f, 0f }, rates);
        RateEncoding.NormalizedRatesHz(bright, rates, 1000f);
        Assert.Equal(1000.0, rates.Sum(r => (double)r), 3);
        Assert.Equal(255f / 700 * 1000, rates[1], 3);
        // A retry's intensity multiplies the total, as it does the per-pixel rates.
        RateEncoding.NormalizedRatesHz(dim, rates, 1000f, RateEncoding.DiehlCookIntensity(1));
        Assert.Equal(new[] { 0f, 375f, 1125f, 0f }, rates);
        // Nothing to scale in a black image: it stays silent instead of dividing by zero.
        RateEncoding.NormalizedRatesHz(new byte[4], rates, 1000f);
        Assert.All(rates, r => Assert.Equal(0f, r));
    }

    [Fact]
    public void Euclidean_rates_have_the_given_norm_whatever_the_brightness()
    {
        byte[] dim = [0, 30, 40, 0], bright = [200, 255, 100, 145];
        var rates = new float[4];

        // 30, 40 has norm 50: rates 600 and 800 Hz for a norm of 1,000 Hz.
        RateEncoding.EuclideanRatesHz(dim, rates, 1000f);
        Assert.Equal(new[] { 0f, 600f, 800f, 0f }, rates);
        RateEncoding.EuclideanRatesHz(bright, rates, 1000f);
        Assert.Equal(1000.0, Math.Sqrt(rates.Sum(r => (double)r * r)), 2);
        Assert.Equal(255 / Math.Sqrt(200 * 200 + 255 * 255 + 100 * 100 + 145 * 145) * 1000, rates[1], 3);
        RateEncoding.EuclideanRatesHz(dim, rates, 1000f, RateEncoding.DiehlCookIntensity(2));
        Assert.Equal(new[] { 0f, 1200f, 1600f, 0f }, rates);
        RateEncoding.EuclideanRatesHz(new byte[4], rates, 1000f);
        Assert.All(rates, r => Assert.Equal(0f, r));
        Assert.Equal("normHz",
            Assert.Throws<ArgumentOutOfRangeException>(() => RateEncoding.EuclideanRatesHz([1], new float[1], float.NaN)).ParamName);
    }

    [Fact]
    public void Bad_arguments_name_what_is_wrong()
    {
        var e = Assert.Throws<ArgumentException>(() => RateEncoding.RatesHz(new byte[4], new float[3]));
        Assert.Contains("destination holds 3 rates but the image has 4 pixels", e.Message);
        Assert.Equal("maxRateHz",
            Assert.Throws<ArgumentOutOfRangeException>(() => RateEncoding.RateHz(1, maxRateHz: -1f)).ParamName);
        Assert.Equal("maxRateHz",
            Assert.Throws<ArgumentOutOfRangeException>(() => RateEncoding.RatesHz([1], maxRateHz: float.NaN)).ParamName);
        Assert.Equal("intensity",
            Assert.Throws<ArgumentOutOfRangeException>(() => RateEncoding.RateHz(1, intensity: float.PositiveInfinity)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => RateEncoding.DiehlCookIntensity(-1));
        Assert.Equal("totalHz",
            Assert.Throws<ArgumentOutOfRangeException>(() => RateEncoding.NormalizedRatesHz([1], new float[1], -5f)).ParamName);
        Assert.Contains("destination holds 2 rates but the image has 1 pixels",
            Assert.Throws<ArgumentException>(() => RateEncoding.NormalizedRatesHz([1], new float[2], 5f)).Message);
    }
}
