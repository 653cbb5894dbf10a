package io.vodflow.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.Range;
import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.body.CallableDeclaration;
import com.github.javaparser.ast.body.ConstructorDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Methods small enough to read at once: none in the product is longer than 50 lines. */
class MethodSizeTest {

    private static final int MAX_LINES = 50;

    @Test
    void noMethodIsLongerThanFiftyLines() throws IOException {
        StaticJavaParser.getParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17);
        List<String> tooLong = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source :
                    sources.filter(path -> path.toString().endsWith(".java")).toList()) {
                CompilationUnit unit = StaticJavaParser.parse(source);
                List<CallableDeclaration<?>> callables = new ArrayList<>();
                callables.addAll(unit.findAll(MethodDeclaration.class));
                callables.addAll(unit.findAll(ConstructorDeclaration.class));
                for (CallableDeclaration<?> callable : callables) {
                    Range range = callable.getRange().orElseThrow();
                    int lines = range.end.line - range.begin.line + 1;
                    if (lines > MAX_LINES) {
                        tooLong.add(source + ": " + callable.getNameAsString() + " has " + lines + " lines");
                    }
                }
            }
        }
        assertThat(tooLong).isEmpty();
    }
}
