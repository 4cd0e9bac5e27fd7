using DistSnn.Model.Datasets;
using DistSnn.Learning.Datasets;
using DistSnn.Learning.DiehlCook;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace DistSnn.Monitoring.Tests;

/// <summary>The training accuracy gauge follows the trainer's accuracy reports.</summary>
[Collection(RunCollection.Name)]
public class TrainingTelemetryTests
{
    [Fact]
    public void Each_accuracy_report_sets_the_gauge()
    {
        // Four bright 4×4 images of two classes; the network labels its neurons on the first two and reports its
        // accuracy on the next two (ReportEvery = 2).
        const int pixels = 16;
        var images = new byte[4 * pixels];
        for (int k = 0; k < 4; k++)
            for (int i = 0; i < pixels; i++)
                images[k * pixels + i] = (byte)((i < pixels / 2) == (k % 2 == 0) ? 255 : 0);
        var data = new LabeledImages(new IdxImages(images, 4, 4, 4), [0, 1, 0, 1]);
        string job = "train-" + Guid.NewGuid().ToString("N")[..8];
        var metrics = new List<MetricSnapshot>();
        StdpTrainingResult result;
        using (var meters = Sdk.CreateMeterProviderBuilder().AddMeter(Telemetry.Name).AddInMemoryExporter(metrics).Build())
        {
            var trainer = new StdpTrainer(new StdpTrainingOptions
            {
                Neurons = 4, TrainSamples = 4, TestSamples = 1, ReportEvery = 2, MaxRetries = 2, Job = job,
            }, pixels);
            result = trainer.Run(data, data);
            meters.ForceFlush();
        }
        var report = Assert.Single(result.TrainingAccuracy);
        Assert.Equal(4, report.Samples);
        var gauge = metrics.Last(m => m.Name == Telemetry.Names.TrainAccuracy);
        Assert.Equal("1", gauge.Unit);
        var point = Assert.Single(gauge.MetricPoints, p => HasJob(p, job));
        Assert.Equal(report.Accuracy, point.GetGaugeLastValueDouble());
    }

    private static bool HasJob(MetricPoint point, string job)
    {
        foreach (var tag in point.Tags)
            if (tag.Key == Telemetry.Tags.Job && (string?)tag.Value == job) return true;
        return false;
    }
}
