namespace WcLayer.Images;

/// <summary>A path inside a Windows container (<c>C:\app</c>) as the names of a layer's <c>Files</c> tree.</summary>
internal static class ContainerPath
{
    /// <summary>The components of <paramref name="path"/> under <c>C:\</c>: <c>C:\app\bin</c> → <c>app</c>, <c>bin</c>.</summary>
    /// <exception cref="ArgumentException">Not an absolute path on <c>C:</c>, or a component Windows cannot hold.</exception>
    public static IReadOnlyList<string> Split(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string rest = path.Replace('/', '\\');
        if (rest.Length >= 2 && rest[1] == ':')
        {
            if (char.ToUpperInvariant(rest[0]) != 'C')
            {
                throw new ArgumentException($"'{path}': a container has only the C: drive.", nameof(path));
            }

            rest = rest[2..];
        }

        if (!rest.StartsWith('\\'))
        {
            throw new ArgumentException($"'{path}' is not an absolute container path like C:\\app.", nameof(path));
        }

        string[] components = rest.Split('\\', StringSplitOptions.RemoveEmptyEntries);
        foreach (string component in components)
        {
            if (WindowsName.Problem(component) is { } problem)
            {
                throw new ArgumentException($"'{path}': {problem}", nameof(path));
            }
        }

        return components;
    }
}
