namespace WcLayer.Tests.Samples;

public class SampleLayerTests
{
    private const string UpdateVariable = "WCLAYER_UPDATE_SAMPLES";

    [Fact]
    public async Task CheckedInSampleIsUpToDate()
    {
        byte[] expected = await SampleLayer.CreateAsync();
        string path = Path.Combine(RepositoryRoot.Path, SampleLayer.RelativePath);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllBytesAsync(path, expected);
            return;
        }

        Assert.True(File.Exists(path), $"{path} is missing; regenerate it with {UpdateVariable}=1 dotnet test --filter SampleLayerTests");
        byte[] actual = await File.ReadAllBytesAsync(path);
        Assert.True(
            expected.AsSpan().SequenceEqual(actual),
            $"{SampleLayer.RelativePath} differs from what SampleLayer generates; regenerate it with {UpdateVariable}=1 dotnet test --filter SampleLayerTests");
    }

    [Fact]
    public async Task GenerationIsDeterministic()
    {
        byte[] first = await SampleLayer.CreateAsync();
        byte[] second = await SampleLayer.CreateAsync();
        Assert.Equal(first, second);
    }
}
