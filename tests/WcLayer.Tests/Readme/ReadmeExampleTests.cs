using System.Text.RegularExpressions;
using WcLayer.Tests.Cli;

namespace WcLayer.Tests.Readme;

/// <summary>README.md's C# examples are the code of <see cref="ReadmeExamples"/>, which these tests run.</summary>
[Collection(CurrentDirectoryCollection.Name)]
public sealed partial class ReadmeExampleTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TheReadmesCSharpBlocksAreTheCompiledExamples()
    {
        string[] readme = CSharpBlocks(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")));
        string source = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "WcLayer.Tests", "Readme", "ReadmeExamples.cs"));

        Assert.Equal(3, readme.Length);
        for (int i = 0; i < readme.Length; i++)
        {
            Assert.Equal(Example(source, i + 1), WithoutUsings(readme[i]));
        }

        // The usings the README shows are the ones the examples compile with.
        foreach (string line in readme[0].Split('\n').Where(l => l.StartsWith("using ", StringComparison.Ordinal)))
        {
            Assert.Contains(line, source, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Example1ReadsImportsAndExportsTheSample()
    {
        await RunInSampleFolderAsync(ReadmeExamples.TarToLayerAndBackAsync);
    }

    [Fact]
    public async Task Example2MountsAScratchAndExportsItsChanges()
    {
        await RunInSampleFolderAsync(ReadmeExamples.StoreEndToEndAsync);
    }

    [Fact]
    public async Task Example3TakesAnImageAddsALayerAndFilesAndWritesTheNewImages()
    {
        new Images.TestImageBuilder().Layer(await Images.ImageTestData.BaseAsync()).WriteLayout(_temp["myimage"]);
        await File.WriteAllBytesAsync(_temp["app.tar"], await Images.ImageTestData.TopAsync());
        Directory.CreateDirectory(_temp["publish"]);
        await File.WriteAllTextAsync(_temp["publish/app.dll"], "MZ");
        WcLayer.Images.CommittedImage? committed = null;

        await RunInSampleFolderAsync(async () => committed = await ReadmeExamples.ImageAddLayerAsync(CancellationToken.None));

        using var two = await WcLayer.Images.OciImage.OpenAsync(_temp["myimage"], WcLayer.Images.ImageSelector.For("2.0"));
        using var three = await WcLayer.Images.OciImage.OpenAsync(_temp["myimage"], WcLayer.Images.ImageSelector.For("3.0"));
        Assert.Equal(committed!.DiffId, two.Layers[^1].DiffId);
        Assert.Equal(2, three.Layers.Count);
    }

    private async Task RunInSampleFolderAsync(Func<Task> example)
    {
        Directory.CreateDirectory(_temp["samples"]);
        File.Copy(Path.Combine(RepositoryRoot(), "samples", "sample-layer.tar"), Path.Combine(_temp["samples"], "sample-layer.tar"));
        string previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = _temp.Path;
        try
        {
            await example();
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    private static string[] CSharpBlocks(string markdown) =>
        [.. CSharpBlock().Matches(markdown.ReplaceLineEndings("\n")).Select(m => m.Groups[1].Value)];

    private static string WithoutUsings(string block) =>
        string.Join('\n', block.Split('\n').SkipWhile(l => UsingDirective().IsMatch(l) || l.Length == 0)).TrimEnd();

    // The lines between the markers, less the method body's indentation.
    private static string Example(string source, int number)
    {
        string[] lines = source.ReplaceLineEndings("\n").Split('\n');
        int start = Array.FindIndex(lines, l => l.Trim() == $"// README example {number}") + 1;
        int end = Array.FindIndex(lines, l => l.Trim() == $"// end README example {number}");
        Assert.True(start > 0 && end > start, $"README example {number} markers not found");
        return string.Join('\n', lines[start..end].Select(l => l.Length >= 8 ? l[8..] : l.TrimStart())).TrimEnd();
    }

    private static string RepositoryRoot()
    {
        for (string? directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "WcLayer.slnx")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException("WcLayer.slnx not found above the test folder");
    }

    [GeneratedRegex(@"^using [\w.]+;$")]
    private static partial Regex UsingDirective();

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
