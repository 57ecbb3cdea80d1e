Console.WriteLine("XRight benchmarks: not written yet.");
