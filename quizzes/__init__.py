"""The quiz bank: one YAML file per chapter, shipped inside the helper package as lstm_course.quizbank."""
