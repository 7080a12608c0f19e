namespace WcLayer.Images;

/// <summary>Paths inside an image (a layout folder or an archive), as <c>manifest.json</c> names them: checked so that none leaves the image.</summary>
internal static class ImagePath
{
    /// <summary>Normalizes a relative <c>/</c>-separated path, refusing anything that could name a file outside the image.</summary>
    /// <exception cref="InvalidDataException">The path is absolute, has <c>..</c>, a backslash, a drive, or is empty.</exception>
    public static string Normalize(string? path, string what)
    {
        if (string.IsNullOrEmpty(path) || path.Contains('\\', StringComparison.Ordinal) || path.Contains('\0', StringComparison.Ordinal)
            || path.Contains(':', StringComparison.Ordinal) || path.StartsWith('/'))
        {
            throw new InvalidDataException($"{what}: '{path}' is not a relative path inside the image.");
        }

        string trimmed = path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path;
        foreach (string segment in trimmed.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                throw new InvalidDataException($"{what}: '{path}' is not a relative path inside the image (it has an empty, '.' or '..' segment).");
            }
        }

        return trimmed;
    }
}
