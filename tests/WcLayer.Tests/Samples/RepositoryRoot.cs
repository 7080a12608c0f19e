namespace WcLayer.Tests.Samples;

/// <summary>Finds the repository root (the folder holding <c>WcLayer.slnx</c>) from the test's output folder.</summary>
public static class RepositoryRoot
{
    private const string Marker = "WcLayer.slnx";

    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    private static string Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, Marker)))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No {Marker} above {AppContext.BaseDirectory}.");
    }
}
