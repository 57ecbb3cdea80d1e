Console.WriteLine("FineTuneCheckpoint: not written yet.");
